"""The browser pages: sign-in, invite acceptance, the workspace (`/work`, `/review`) and
`/work/me`. Every page checks the session and the role; the work itself
goes through the worker API from the page's script."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from labelworks.api.deps import DbDep, get_person
from labelworks.api.policies.base import PUBLIC
from labelworks.api.policies.pages import PagePolicy, PageVisit, authorize_page
from labelworks.db.database import Database
from labelworks.errors import LabelworksError
from labelworks.services import auth, invites
from labelworks.services.auth import Person
from labelworks.services.work import me
from labelworks.web import session as web_session
from labelworks.web.render import HERE, context, page, refused

router = APIRouter(include_in_schema=False)
static = StaticFiles(directory=HERE / "static")
LANDING = {"annotator": "/work", "reviewer": "/review", "admin": "/review", "customer": "/projects"}


def _same_origin(request: Request) -> bool:
    """Signed-out forms (sign-in, invite) have no session to bind a CSRF token to; a browser
    sends Origin on cross-site POSTs, so a foreign one is refused (with SameSite=Lax cookies)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.url.netloc


async def _signed_in(request: Request, db: Database) -> tuple[Person, str] | None:
    return await web_session.cookie_person(request, db)


def _next_path(value: str | None) -> str | None:
    """Where to go after signing in: a path on this site only (never `//host` or a URL)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    return value


def _landing(person: Person, next_path: str | None) -> str:
    return _next_path(next_path) or LANDING.get(person.role, "/work/me")


@router.get("/", response_model=None, dependencies=[PUBLIC])
async def home(request: Request, db: DbDep) -> Response:
    found = await _signed_in(request, db)
    next_path = _next_path(request.query_params.get("next")) or ""
    if found is not None:
        return RedirectResponse(_landing(found[0], next_path), status_code=303)
    return page(request, "signin.html", {"error": None, "email": "", "next": next_path})


@router.post("/", response_model=None, dependencies=[PUBLIC])
async def sign_in(
    request: Request,
    db: DbDep,
    email: str = Form(""),
    password: str = Form(""),
    next: str = Form(""),
) -> Response:
    if not _same_origin(request):
        return page(
            request,
            "signin.html",
            {"error": "Cross-site sign-in refused.", "email": "", "next": ""},
            403,
        )
    try:
        token = await run_in_threadpool(auth.login, db, email, password)
    except LabelworksError as exc:
        return page(
            request,
            "signin.html",
            {
                "error": exc.message.capitalize() + ".",
                "email": email,
                "next": _next_path(next) or "",
            },
            exc.status_code,
        )
    with db.read() as session:
        person = auth.person_for_token(session, token)
    response = RedirectResponse(_landing(person, next), status_code=303)
    web_session.set_session_cookie(request, response, token)
    return response


@router.post("/signout", response_model=None, dependencies=[PUBLIC])
async def sign_out(request: Request, db: DbDep, csrf_token: str = Form("")) -> Response:
    found = await _signed_in(request, db)
    if found is not None:
        web_session.check_csrf(db, found[1], csrf_token)
        await run_in_threadpool(web_session.end_session, db, found[1])
    response = RedirectResponse("/", status_code=303)
    web_session.clear_session_cookie(response)
    return response


@router.get("/invite/{token}", response_model=None, dependencies=[PUBLIC])
async def invite_page(request: Request, token: str) -> Response:
    return page(request, "invite.html", {"token": token, "error": None})


@router.post("/invite/{token}", response_model=None, dependencies=[PUBLIC])
async def invite_accept(
    request: Request, token: str, db: DbDep, password: str = Form("")
) -> Response:
    if not _same_origin(request):
        return page(
            request, "invite.html", {"token": token, "error": "Cross-site request refused."}, 403
        )
    try:
        accepted = await run_in_threadpool(invites.accept_invite, db, token, password)
        session_token = await run_in_threadpool(auth.login, db, accepted.email, password)
    except LabelworksError as exc:
        return page(request, "invite.html", {"token": token, "error": exc.error}, exc.status_code)
    with db.read() as session:
        person = auth.person_for_token(session, session_token)
    response = RedirectResponse(LANDING.get(person.role, "/work/me"), status_code=303)
    web_session.set_session_cookie(request, response, session_token)
    return response


async def _workspace(
    request: Request, db: Database, visit: PageVisit | None, stage: str
) -> Response:
    if visit is None:
        return RedirectResponse("/", status_code=303)
    if visit.refused:
        return refused(request, db, visit)
    project = request.query_params.get("project") or ""
    return page(
        request,
        "workspace.html",
        context(db, visit.person, visit.token, stage=stage, project=project),
    )


@router.get("/work", response_model=None)
async def work_page(
    request: Request,
    db: DbDep,
    visit: Annotated[PageVisit | None, authorize_page(PagePolicy.workspace)],
) -> Response:
    return await _workspace(request, db, visit, "label")


@router.get("/review", response_model=None)
async def review_page(
    request: Request,
    db: DbDep,
    visit: Annotated[PageVisit | None, authorize_page(PagePolicy.review)],
) -> Response:
    return await _workspace(request, db, visit, "review")


@router.get("/work/me", response_model=None)
async def me_page(
    request: Request,
    db: DbDep,
    visit: Annotated[PageVisit | None, authorize_page(PagePolicy.me)],
) -> Response:
    """The page for a browser; the same numbers as JSON for API clients (`GET /work/me`)."""
    if "text/html" not in request.headers.get("accept", ""):
        person = await get_person(request, db)
        with db.read() as session:
            return JSONResponse(me.my_numbers(session, person))
    if visit is None:
        return RedirectResponse("/", status_code=303)
    with db.read() as session:
        numbers = me.my_numbers(session, visit.person)
    return page(request, "me.html", context(db, visit.person, visit.token, numbers=numbers))


def install(app: Any) -> None:
    """Mount the pages, the workspace queue API and the static files. Before the worker API's
    router: `GET /work/me` answers a browser with the page, anyone else with the JSON."""
    from labelworks.api.routes import work_queue
    from labelworks.web import admin_pages, dashboard, operator_pages, task_pages, wall_pages

    app.include_router(router)
    app.include_router(work_queue.router)
    # The customer and operator web: one module per area, each with its own router.
    for module in (dashboard, task_pages, admin_pages, operator_pages, wall_pages):
        app.include_router(module.router)
    app.mount("/static", static, name="static")
