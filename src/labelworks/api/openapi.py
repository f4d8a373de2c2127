"""The OpenAPI document: request bodies, security schemes and the error statuses of every route.

FastAPI derives paths, parameters (with their bounds) and success responses from the routes; this
module adds what it cannot see: the bodies read by `body_of(...)`, the security scheme implied by
each route's policy, and the `{"status_code", "error"}` answers (400/401/403/404/409/413/429)
instead of FastAPI's unused 422.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import TypeAdapter

from labelworks.api.policies.base import policy_of
from labelworks.api.schemas.common import ErrorOut
from labelworks.tasktypes import REGISTRY

REF = "#/components/schemas/{model}"
ERROR_TEXT = {
    400: "Invalid request: the message names the field and the reason",
    401: "Missing, unknown or expired credentials",
    403: "Authenticated, but the caller's role does not allow this",
    404: "No such object (or it belongs to another organisation)",
    409: "Conflicts with an existing object (a duplicate name or unique_id, a finished task)",
    413: "Request body too large",
    429: "Too many requests; retry after a short pause",
}
TAGS = [
    {"name": "tasks", "description": "Scale v1 tasks: create, read, cancel, audit, tag, list."},
    {"name": "batches", "description": "Scale v1 batches of a project."},
    {"name": "projects", "description": "Scale v1 projects and their parameter history."},
    {"name": "files", "description": "Upload or import media; `attachment_url` goes in a task."},
    {"name": "deliveries", "description": "The callback delivery log and redelivery."},
    {"name": "exports", "description": "A project's tasks in an ML data format."},
    {"name": "studio", "description": "The org's own workforce: team, assignments, groups."},
    {"name": "quality tasks", "description": "Gold (evaluation) and training tasks."},
    {
        "name": "auth",
        "description": "Log in with email and password: the token is sent as "
        "`Authorization: Bearer <token>` to `/work` (and, for customer users, to `/v1`).",
    },
    {
        "name": "work",
        "description": "The worker API. `POST /work/next` leases an assignment (`?stage=review` "
        "for review work); submit it with `POST /work/assignments/{id}/submit`, give it back with "
        "`.../skip`, keep the lease alive with `.../heartbeat`. A 204 means no work right now.",
    },
]


def _dependencies(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _dependencies(sub)


def api_routes(app: FastAPI) -> Iterator[Any]:
    """Every API route as served: full path, methods and dependencies, through included routers
    (FastAPI resolves `include_router` lazily, so `app.routes` alone holds router placeholders)."""
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            yield context


def other_routes(app: FastAPI) -> Iterator[Any]:
    """The routes that are not API routes (the OpenAPI document, the docs assets mount)."""
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute):
            yield context


def route_policy(route: Any) -> Any:
    """The policy a route asks (a callable, or "public"), or None if it declares none."""
    for call in _dependencies(route.dependant):
        found = policy_of(call)
        if found is not None:
            return found
    return None


def _security(route: Any, policy: Any) -> list[dict[str, list[str]]] | None:
    if policy is None or policy == "public":
        return [] if policy == "public" else None
    if route.path_format.startswith("/v1"):
        return [{"basicAuth": []}, {"bearerAuth": []}]
    return [{"bearerAuth": []}]


def _register(schemas: dict[str, Any], model: Any) -> dict[str, Any]:
    """The JSON schema of `model` (a `$ref` for a named model), its definitions added to components."""
    schema = TypeAdapter(model).json_schema(ref_template=REF)
    schemas.update(schema.pop("$defs", {}))
    name = getattr(model, "__name__", None)
    if name and isinstance(model, type):
        schemas.setdefault(name, schema)
        return {"$ref": REF.format(model=name)}
    return schema


def _error_codes(route: Any, method: str, policy: Any) -> list[int]:
    codes = {400}
    if method in ("POST", "PUT", "DELETE", "PATCH"):
        codes |= {404, 409, 413}
    if policy != "public":
        codes |= {401, 403, 404, 429}
    if route.path_format.startswith("/auth/"):
        codes |= {401, 429}  # wrong password or invite token; login throttling
    return sorted(codes)


def build_openapi(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=TAGS,
    )
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    components["securitySchemes"] = {
        "basicAuth": {
            "type": "http",
            "scheme": "basic",
            "description": "`/v1`: the API key as the username, an empty password (as Scale).",
        },
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": "The token from `POST /auth/login`.",
        },
    }
    error_ref = _register(schemas, ErrorOut)
    for route in api_routes(app):
        if not route.include_in_schema:
            continue
        policy = route_policy(route)
        body_model = next(
            (c.body_model for c in _dependencies(route.dependant) if hasattr(c, "body_model")),
            None,
        )
        for method in route.methods:
            op = schema["paths"][route.path_format][method.lower()]
            for param in op.get("parameters", []):
                if param["name"] == "task_type":
                    param["schema"]["enum"] = sorted(REGISTRY)
            if body_model is not None:
                op["requestBody"] = {
                    "required": False,
                    "content": {"application/json": {"schema": _register(schemas, body_model)}},
                }
            security = _security(route, policy)
            if security is not None:
                op["security"] = security
            responses = op.setdefault("responses", {})
            responses.pop("422", None)
            for code in _error_codes(route, method, policy):
                responses.setdefault(
                    str(code),
                    {
                        "description": ERROR_TEXT[code],
                        "content": {"application/json": {"schema": error_ref}},
                    },
                )
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return schema


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
