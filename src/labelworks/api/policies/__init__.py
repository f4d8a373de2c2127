"""Who may do what: one small policy class per resource (Argilla's `api/policies/v1` is the model).

A policy method takes the caller (a `Principal` on `/v1`, a `Person` on `/work`) and returns when the
action is allowed or raises `Forbidden` with the reason. Every route names the check it asks with
`authorize(...)` / `authorize_worker(...)` in its signature, or `PUBLIC` in its decorator; a test
walks `app.routes` and fails on a route that names none.
"""
