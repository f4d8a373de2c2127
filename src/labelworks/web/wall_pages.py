"""Confidentiality in the browser: `/org/walls` (ask for conflict walls against competitors by
name), `/org/access` (every operator break-glass grant on the org), and the operator's view of
one task's content, `/operator/tasks/{task_id}`, open only under an active grant."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from sqlalchemy import select

from labelworks.api.deps import DbDep
from labelworks.api.policies.confidentiality import BreakglassPolicy, WallPolicy
from labelworks.api.policies.pages import PagePolicy, PageVisit, authorize_page
from labelworks.db.database import Database
from labelworks.db.tables import Org, Task
from labelworks.errors import LabelworksError, NotFound
from labelworks.services import breakglass, walls
from labelworks.web import session as web_session
from labelworks.web.render import check, context, customer_principal, gate, page, refused

router = APIRouter(include_in_schema=False)
Customer = Annotated[PageVisit | None, authorize_page(PagePolicy.customer)]
Operator = Annotated[PageVisit | None, authorize_page(PagePolicy.operator)]


def _walls_page(
    request: Request,
    db: Database,
    visit: PageVisit,
    error: str | None = None,
    done: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    principal = customer_principal(db, visit)
    reason = check(WallPolicy.request, principal)
    if reason:
        return refused(request, db, visit, reason)
    with db.read() as session:
        rows = walls.my_requests(session, principal)
    extra = {"requests": rows, "error": error, "done": done, "default_days": walls.DEFAULT_DAYS}
    return page(request, "walls.html", context(db, visit.person, visit.token, **extra), status)


@router.get("/org/walls", response_model=None)
async def walls_page(request: Request, db: DbDep, visit: Customer) -> Response:
    stop = gate(request, db, visit)
    if stop is not None:
        return stop
    assert visit is not None
    return _walls_page(request, db, visit)


@router.post("/org/walls", response_model=None)
async def walls_request(
    request: Request,
    db: DbDep,
    visit: Customer,
    competitors: str = Form(""),
    days: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    stop = gate(request, db, visit)
    if stop is not None:
        return stop
    assert visit is not None
    web_session.check_csrf(db, visit.token, csrf_token)
    principal = customer_principal(db, visit)
    names = [line.strip() for line in competitors.splitlines() if line.strip()]
    try:
        if check(WallPolicy.request, principal) is None:
            wanted: object = int(days) if days.strip() else walls.DEFAULT_DAYS
            with db.write() as session:
                done = walls.request_walls(session, principal, names, wanted)
            return _walls_page(request, db, visit, done=done)
    except ValueError:
        return _walls_page(request, db, visit, "days: must be a whole number of days", status=400)
    except LabelworksError as exc:
        return _walls_page(request, db, visit, exc.error, status=exc.status_code)
    return _walls_page(request, db, visit)  # refused: the 403 page


@router.get("/org/access", response_model=None)
async def access_page(request: Request, db: DbDep, visit: Customer) -> Response:
    stop = gate(request, db, visit)
    if stop is not None:
        return stop
    assert visit is not None
    principal = customer_principal(db, visit)
    reason = check(BreakglassPolicy.read, principal)
    if reason:
        return refused(request, db, visit, reason)
    with db.read() as session:
        grants = breakglass.grants_of(session, principal)
    return page(request, "access.html", context(db, visit.person, visit.token, grants=grants))


@router.get("/operator/tasks/{task_id}", response_model=None)
async def operator_task(request: Request, task_id: str, db: DbDep, visit: Operator) -> Response:
    """A task's content for an operator (support, incidents): only under an active break-glass
    grant on the task's org, which the customer sees on `/org/access`."""
    stop = gate(request, db, visit)
    if stop is not None:
        return stop
    assert visit is not None
    with db.read() as session:
        row = session.execute(
            select(Task, Org).join(Org, Org.id == Task.org_id).where(Task.task_id == task_id)
        ).first()
        if row is None:
            raise NotFound(f"no task with id {task_id!r}", "task_id")
        task, org = row
        try:
            grant = breakglass.require_grant(session, visit.person.user_id, org)
        except LabelworksError as exc:
            return refused(request, db, visit, exc.message)
        breakglass.record_use(session, grant, "task.get", [task.task_id], object_type="task")
        shown = {
            "task_id": task.task_id,
            "org": org.name,
            "status": task.status,
            "grant": {"reason": grant.reason, "expires_at": grant.expires_at},
            "content": json.dumps(
                {
                    "instruction": task.instruction,
                    "params": task.params,
                    "metadata": task.metadata_,
                    "response": task.response,
                },
                indent=2,
                ensure_ascii=False,
            ),
        }
    return page(request, "operator_task.html", context(db, visit.person, visit.token, **shown))
