"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from labelworks import __version__
from labelworks.api.deps import KeyCache
from labelworks.api.errors import install_error_handlers
from labelworks.api.input_guard import InputGuardMiddleware
from labelworks.api.limits import BodyLimitMiddleware
from labelworks.api.openapi import install_openapi
from labelworks.api.ratelimit import RateLimiter
from labelworks.api.routes import (
    access_log,
    auth,
    batches,
    confidentiality,
    deliveries,
    docs,
    events,
    exports,
    files,
    health,
    invites,
    projects,
    quality_tasks,
    studio,
    tasks,
    work,
)
from labelworks.api.security_headers import SecurityHeadersMiddleware
from labelworks.db.database import Database
from labelworks.settings import Settings, get_settings
from labelworks.web import pages as web_pages

DESCRIPTION = """A self-hosted data-labeling platform.

* **`/v1`** speaks Scale's v1 Task API: HTTP Basic with an API key as the username (the official
  `scaleapi` client works), or a customer user's Bearer token. Team roles decide what a user may
  do: labeler (work only), member (read), manager (create and change), admin (everything).
* **`/auth`** logs people in: `POST /auth/login` with email and password gives a token.
* **`/work`** is the worker API for annotators and reviewers (Bearer token): `POST /work/next`
  (`?stage=review` for review work), then `submit`, `skip` or `heartbeat` the assignment.

Errors are `{"status_code": N, "error": "field: reason"}`.
"""


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    database = db or Database.open(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Import the quality engine (numpy, scipy, shapely) before the first request, not in it.
        import labelworks.quality  # noqa: F401
        from labelworks.services.instance import instance_secret

        instance_secret(database, "list-token")  # created before requests race for it

        stop = None
        if settings.delivery_in_server:
            from labelworks.services.delivery.worker import start_background

            stop = start_background(database)
        yield
        if stop is not None:
            stop()

    app = FastAPI(
        title="Labelworks",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # served offline by routes/docs.py
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.db = database
    app.state.settings = settings
    app.state.key_cache = KeyCache()
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst)
    app.state.credential_limiter = RateLimiter(
        settings.credential_rate_limit_per_second, settings.credential_rate_limit_burst
    )
    install_error_handlers(app)
    app.add_middleware(
        BodyLimitMiddleware,
        json_limit=settings.max_json_bytes,
        upload_limit=settings.max_upload_bytes,
    )
    app.add_middleware(InputGuardMiddleware)  # NUL in the path or query: a 400, not a DB error
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: on every response, 413s too
    app.include_router(health.router)
    app.include_router(docs.router)
    app.mount(docs.ASSETS, docs.assets(), name="docs-assets")
    app.include_router(auth.router)
    app.include_router(invites.router)
    web_pages.install(app)  # the browser workspace (pages, /work/queue, /static)
    app.include_router(work.router)
    for module in (
        tasks,
        batches,
        projects,
        files,
        deliveries,
        events,
        studio,
        quality_tasks,
        exports,
        confidentiality,
        access_log,
    ):
        app.include_router(module.router, prefix="/v1")
    install_openapi(app)
    return app


def app_from_env() -> FastAPI:
    """Entry point for `uvicorn --factory` in each server worker process."""
    return create_app()
