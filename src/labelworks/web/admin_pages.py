"""Org administration in the browser (`/org/...`): API keys, the callback secret, the team and
invites, project settings, exports.

Every page is for customer users (`PagePolicy.customer`); what each may do is asked of the
API's own policies with their team role (`render.customer_principal`): keys, the secret and
the team need `admin`, project settings `manager`, exports `member`. Everyone on the team sees
the read-only views; forms they may not use are not shown, and their POSTs are a 403. Every
write is a form POST carrying the session's CSRF token, handled by the services the API and the
CLI use, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from labelworks.api.deps import DbDep
from labelworks.api.policies.exports import ExportPolicy
from labelworks.api.policies.org import OrgPolicy
from labelworks.api.policies.pages import PagePolicy, PageVisit, authorize_page
from labelworks.api.policies.projects import ProjectPolicy
from labelworks.api.policies.teams import TeamPolicy
from labelworks.db.database import Database
from labelworks.db.tables import Org
from labelworks.errors import Forbidden, InvalidRequest, LabelworksError, NotFound
from labelworks.services import invites, orgs, projects, teams
from labelworks.services.exports import jobs
from labelworks.services.project_settings import project_settings
from labelworks.services.scope import Principal
from labelworks.tasktypes import get_task_type
from labelworks.web import session as web_session
from labelworks.web.render import check, context, customer_principal, gate, page, refused

router = APIRouter(include_in_schema=False)
Visit = Annotated[PageVisit | None, authorize_page(PagePolicy.customer)]
CUSTOMER_ROLES = ("member", "manager", "admin")


@dataclass(frozen=True)
class Admin:
    """A customer on their org's team, the `Principal` they act as, and (for a POST) the form."""

    visit: PageVisit
    principal: Principal
    form: FormData | None = None


def _enter(request: Request, db: Database, visit: PageVisit | None) -> Admin | Response:
    stop = gate(request, db, visit)
    if stop is not None:
        return stop
    assert visit is not None
    try:
        return Admin(visit, customer_principal(db, visit))
    except Forbidden as exc:
        return refused(request, db, visit, exc.message)


async def _write(
    request: Request, db: Database, visit: PageVisit | None, policy: Any
) -> Admin | Response:
    """A form POST: signed in, on the team, the CSRF token right, and the API policy allows."""
    entered = _enter(request, db, visit)
    if isinstance(entered, Response):
        return entered
    form = await request.form()
    sent = form.get("csrf_token")
    try:
        web_session.check_csrf(db, entered.visit.token, sent if isinstance(sent, str) else None)
    except Forbidden as exc:
        return refused(request, db, entered.visit, exc.message)
    reason = check(policy, entered.principal)
    if reason is not None:
        return refused(request, db, entered.visit, reason)
    return Admin(entered.visit, entered.principal, form)


def _field(form: FormData | None, name: str) -> str:
    value = form.get(name) if form is not None else None
    return value.strip() if isinstance(value, str) else ""


def _show(
    request: Request, db: Database, admin: Admin, name: str, status: int = 200, **extra: Any
) -> Response:
    can = {
        "can_keys": check(OrgPolicy.manage_keys, admin.principal) is None,
        "can_secret": check(OrgPolicy.read_secret, admin.principal) is None,
        "can_team": check(TeamPolicy.invite, admin.principal) is None,
        "can_settings": check(ProjectPolicy.update, admin.principal) is None,
        "can_export": check(ExportPolicy.read, admin.principal) is None,
    }
    ctx = context(db, admin.visit.person, admin.visit.token, **can, **extra)
    return page(request, name, ctx, status)


# --- API keys and the callback secret ----------------------------------------------------------


def _keys_view(db: Database, principal: Principal) -> dict[str, Any]:
    with db.read() as session:
        org = session.get(Org, principal.org_id)
        assert org is not None
        return {
            "keys": orgs.list_keys(session, org),
            "masked_secret": orgs.masked_secret(org.callback_secret),
        }


@router.get("/org", response_model=None)
async def keys_page(request: Request, db: DbDep, visit: Visit) -> Response:
    admin = _enter(request, db, visit)
    if isinstance(admin, Response):
        return admin
    return _show(request, db, admin, "org_keys.html", **_keys_view(db, admin.principal))


@router.post("/org/keys", response_model=None)
async def create_key(request: Request, db: DbDep, visit: Visit) -> Response:
    admin = await _write(request, db, visit, OrgPolicy.manage_keys)
    if isinstance(admin, Response):
        return admin
    kind = _field(admin.form, "kind")
    if kind not in ("live", "test"):
        error = InvalidRequest("choose live or test", "kind")
        view = _keys_view(db, admin.principal)
        return _show(request, db, admin, "org_keys.html", 400, error=error, **view)
    with db.write() as session:
        org = session.get(Org, admin.principal.org_id)
        assert org is not None
        key = orgs.create_key(session, org, test=kind == "test")
    return _show(
        request, db, admin, "org_shown_once.html", title=f"New {kind} API key", secret=key,
        what="API key",
    )  # fmt: skip


@router.get("/org/keys/{key_id}/revoke", response_model=None)
async def revoke_confirm(request: Request, key_id: int, db: DbDep, visit: Visit) -> Response:
    admin = _enter(request, db, visit)
    if isinstance(admin, Response):
        return admin
    keys = _keys_view(db, admin.principal)["keys"]
    key = next((k for k in keys if k.id == key_id), None)
    if key is None:
        raise NotFound(f"no API key {key_id}", "key")
    return _show(request, db, admin, "org_key_revoke.html", key=key)


@router.post("/org/keys/{key_id}/revoke", response_model=None)
async def revoke_key(request: Request, key_id: int, db: DbDep, visit: Visit) -> Response:
    admin = await _write(request, db, visit, OrgPolicy.manage_keys)
    if isinstance(admin, Response):
        return admin
    with db.write() as session:
        org = session.get(Org, admin.principal.org_id)
        assert org is not None
        orgs.revoke_key_id(session, org, key_id)
    return RedirectResponse("/org", status_code=303)


@router.get("/org/callback-secret", response_model=None)
async def show_secret(request: Request, db: DbDep, visit: Visit) -> Response:
    admin = _enter(request, db, visit)
    if isinstance(admin, Response):
        return admin
    reason = check(OrgPolicy.read_secret, admin.principal)
    if reason is not None:
        return refused(request, db, admin.visit, reason)
    with db.read() as session:
        org = session.get(Org, admin.principal.org_id)
        assert org is not None
        secret = org.callback_secret
    return _show(
        request, db, admin, "org_shown_once.html", title="Callback secret", secret=secret,
        what="callback secret",
    )  # fmt: skip


@router.post("/org/callback-secret", response_model=None)
async def rotate_secret(request: Request, db: DbDep, visit: Visit) -> Response:
    admin = await _write(request, db, visit, OrgPolicy.read_secret)
    if isinstance(admin, Response):
        return admin
    with db.write() as session:
        org = session.get(Org, admin.principal.org_id)
        assert org is not None
        secret = orgs.rotate_callback_secret(org)
    return _show(
        request, db, admin, "org_shown_once.html", title="New callback secret", secret=secret,
        what="callback secret",
    )  # fmt: skip


# --- the team and invites ----------------------------------------------------------------------


def _team_page(
    request: Request, db: Database, admin: Admin, status: int = 200, **extra: Any
) -> Response:
    with db.read() as session:
        members = teams.list_teammates(session, admin.principal)
    return _show(
        request, db, admin, "org_team.html", status, members=members, roles=CUSTOMER_ROLES,
        **extra,
    )  # fmt: skip


@router.get("/org/team", response_model=None)
async def team_page(request: Request, db: DbDep, visit: Visit) -> Response:
    admin = _enter(request, db, visit)
    if isinstance(admin, Response):
        return admin
    reason = check(TeamPolicy.read, admin.principal)
    if reason is not None:
        return refused(request, db, admin.visit, reason)
    return _team_page(request, db, admin)


@router.post("/org/team/role", response_model=None)
async def set_role(request: Request, db: DbDep, visit: Visit) -> Response:
    admin = await _write(request, db, visit, TeamPolicy.set_role)
    if isinstance(admin, Response):
        return admin
    body = {"emails": [_field(admin.form, "email")], "team_role": _field(admin.form, "team_role")}
    try:
        with db.write() as session:
            teams.set_role(session, admin.principal, body)
    except LabelworksError as exc:
        return _team_page(request, db, admin, exc.status_code, role_error=exc)
    return RedirectResponse("/org/team", status_code=303)


@router.post("/org/team/invite", response_model=None)
async def invite(request: Request, db: DbDep, visit: Visit) -> Response:
    admin = await _write(request, db, visit, TeamPolicy.invite)
    if isinstance(admin, Response):
        return admin
    email = _field(admin.form, "email")
    body = {"emails": [email], "team_role": _field(admin.form, "team_role")}
    try:
        with db.write() as session:
            teams.invite_teammates(session, admin.principal, body)
            token = invites.team_invite_token(session, admin.principal, email)
    except LabelworksError as exc:
        return _team_page(request, db, admin, exc.status_code, invite_error=exc, email=email)
    base = db.settings.public_url or str(request.base_url)
    link = f"{base.rstrip('/')}/invite/{token}" if token else None
    return _team_page(request, db, admin, invited=email.lower(), invite_link=link)


# --- project settings --------------------------------------------------------------------------


def _projects_page(
    request: Request, db: Database, admin: Admin, status: int = 200, **extra: Any
) -> Response:
    with db.read() as session:
        rows = [
            (p.name, p.type, project_settings(p.params))
            for p in projects.list_projects(session, admin.principal)
        ]
    return _show(request, db, admin, "org_projects.html", status, projects=rows, **extra)


@router.get("/org/projects", response_model=None)
async def projects_page(request: Request, db: DbDep, visit: Visit) -> Response:
    admin = _enter(request, db, visit)
    if isinstance(admin, Response):
        return admin
    reason = check(ProjectPolicy.read, admin.principal)
    if reason is not None:
        return refused(request, db, admin.visit, reason)
    return _projects_page(request, db, admin)


def settings_from_form(form: FormData | None) -> dict[str, Any]:
    """The settings form as project params; numbers that do not parse are a 400 naming the
    field, the rest is checked by the same validation as `/v1` and `project set`."""
    out: dict[str, Any] = {}
    for name, parse, what in (("overlap", int, "a whole number"), ("gold_rate", float, "a number")):
        raw = _field(form, name)
        try:
            out[name] = parse(raw)
        except ValueError:
            raise InvalidRequest(f"must be {what}", f"params.{name}") from None
    out["review"] = _field(form, "review") == "on"
    out["adaptive_overlap"] = _field(form, "adaptive_overlap") == "on"
    out["pools"] = [p for p in (form.getlist("pools") if form else []) if isinstance(p, str)]
    return out


@router.post("/org/projects/{name}/settings", response_model=None)
async def save_settings(request: Request, name: str, db: DbDep, visit: Visit) -> Response:
    admin = await _write(request, db, visit, ProjectPolicy.update)
    if isinstance(admin, Response):
        return admin
    try:
        body = settings_from_form(admin.form)
        with db.write() as session:
            projects.set_params(session, admin.principal, name, body)
    except LabelworksError as exc:
        field = (exc.field or "").removeprefix("params.").split(".")[0]
        return _projects_page(
            request, db, admin, exc.status_code, failed=name, error_field=field, error=exc.message
        )
    return _projects_page(request, db, admin, saved=name)


# --- exports -----------------------------------------------------------------------------------


def _exports_page(
    request: Request, db: Database, admin: Admin, status: int = 200, **extra: Any
) -> Response:
    with db.read() as session:
        rows = [
            (p.name, get_task_type(p.type).export_formats)
            for p in projects.list_projects(session, admin.principal)
        ]
        found = [jobs.job_json(j) for j in jobs.list_jobs(session, admin.principal)]
    formats = sorted({f for _, fs in rows for f in fs})
    return _show(
        request, db, admin, "org_exports.html", status, projects=rows, formats=formats,
        jobs=found, **extra,
    )  # fmt: skip


@router.get("/org/exports", response_model=None)
async def exports_page(request: Request, db: DbDep, visit: Visit) -> Response:
    admin = _enter(request, db, visit)
    if isinstance(admin, Response):
        return admin
    return _exports_page(request, db, admin)


@router.post("/org/exports", response_model=None)
async def start_export(request: Request, db: DbDep, visit: Visit) -> Response:
    admin = await _write(request, db, visit, ExportPolicy.read)
    if isinstance(admin, Response):
        return admin
    project, fmt = _field(admin.form, "project"), _field(admin.form, "format")
    batch = _field(admin.form, "batch") or None
    try:
        await run_in_threadpool(jobs.start, db, admin.principal, project, fmt, batch)
    except LabelworksError as exc:
        return _exports_page(request, db, admin, exc.status_code, error=exc)
    return RedirectResponse("/org/exports", status_code=303)


@router.get("/org/exports/{job_id}", response_model=None)
async def export_progress(request: Request, job_id: str, db: DbDep, visit: Visit) -> Response:
    """The job as JSON, polled by the page's script (another org's job is a 404)."""
    admin = _enter(request, db, visit)
    if isinstance(admin, Response):
        return admin
    with db.read() as session:
        return JSONResponse(jobs.job_json(jobs.get_job(session, admin.principal, job_id)))


@router.get("/org/exports/{job_id}/file", response_model=None)
async def export_file(request: Request, job_id: str, db: DbDep, visit: Visit) -> Response:
    admin = _enter(request, db, visit)
    if isinstance(admin, Response):
        return admin
    with db.read() as session:
        job = jobs.get_job(session, admin.principal, job_id)
    path = jobs.job_file(db, job)
    if job.status != jobs.DONE or not path.exists():
        return JSONResponse({"status_code": 404, "error": "the export file is not ready"}, 404)
    name = quote(jobs.download_name(job), safe="")
    # Sealed on disk: decrypted as it streams (a sync iterator runs in the thread pool).
    return StreamingResponse(
        jobs.read_file(db, job),
        media_type=jobs.FORMATS[job.format].media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )
