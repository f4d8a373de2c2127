"""The one place where errors become HTTP responses: `{"status_code": N, "error": "..."}`."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from labelworks.errors import LabelworksError, field_path

log = logging.getLogger("labelworks.api")


def error_response(status: int, error: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        {"status_code": status, "error": error}, status_code=status, headers=headers
    )


def allowed_methods(request: Request) -> list[str]:
    """Every method the request's path accepts, over all routes that match it (Starlette's own
    405 names only the first route's methods, e.g. GET for `/v1/task/{x}`, which also takes POST)."""
    from fastapi.routing import iter_route_contexts
    from starlette.routing import Match

    scope = {**request.scope, "method": "\x00"}  # a method no route has: path matches only
    methods: set[str] = set()
    for context in iter_route_contexts(request.app.routes):
        route = context._effective_route
        route_methods = getattr(route, "methods", None)
        if route_methods and route.matches(scope)[0] != Match.NONE:
            methods |= set(route_methods)
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LabelworksError)
    async def _domain(_: Request, exc: LabelworksError) -> JSONResponse:
        headers = (
            {"WWW-Authenticate": 'Basic realm="labelworks"'} if exc.status_code == 401 else None
        )
        return error_response(exc.status_code, exc.error, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        loc = [p for p in first.get("loc", ()) if p not in ("query", "path", "body", "header")]
        return error_response(400, f"{field_path(loc)}: {first.get('msg', 'invalid')}")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        headers = getattr(exc, "headers", None)
        if exc.status_code == 404 and message == "Not Found":
            message = "no such endpoint"
        if exc.status_code == 405:
            allowed = allowed_methods(request)
            headers = {**(headers or {}), "Allow": ", ".join(allowed)}
            message = f"method not allowed; this path accepts {', '.join(allowed)}"
        return error_response(exc.status_code, message, headers)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return error_response(500, "internal error")
