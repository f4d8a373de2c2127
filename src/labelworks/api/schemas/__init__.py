"""Request and response models of the HTTP API, one module per resource.

They document the wire format in `/openapi.json` (request bodies through `api/body.py`, responses
through `responses=`) and validate the simple bodies; the services still validate the free-form,
type-specific parts (task params, project params) with their own messages.
"""
