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
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = "no such endpoint"
        return error_response(exc.status_code, message, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return error_response(500, "internal error")
