"""The operator console (`/operator/...`, role admin): the workforce, the queue per org, delivery
failures, payouts. Operational metadata only (issue 13): no task params, responses, attachments
or metadata appear here; the services it calls select none."""

from __future__ import annotations

import datetime as dt
import io
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from labelworks.api.deps import DbDep
from labelworks.api.policies.pages import PagePolicy, PageVisit, authorize_page
from labelworks.db.database import Database
from labelworks.db.tables import Project
from labelworks.db.types import utcnow
from labelworks.errors import InvalidRequest, LabelworksError, NotFound
from labelworks.services import operator_views, orgs, payouts, projects
from labelworks.services.delivery import log as delivery_log
from labelworks.services.work import skill
from labelworks.web import session as web_session
from labelworks.web.render import context, gate, page

router = APIRouter(include_in_schema=False)
Visit = Annotated[PageVisit | None, authorize_page(PagePolicy.operator)]

# What a redirect after an action says (`?done=`): fixed texts, nothing echoed from the URL.
DONE = {
    "paused": "Paused.",
    "unpaused": "Unpaused.",
    "granted": "Qualification granted.",
    "revoked": "Qualification revoked.",
    "rates": "Pay rates saved.",
}


def age(since: dt.datetime | None, now: dt.datetime) -> str:
    """The age of the oldest pending task: "3 d 4 h", "2 h 5 min", "12 min" ("-": none)."""
    if since is None:
        return "-"
    minutes = max(int((now - since).total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {mins} min" if hours else f"{mins} min"


def _workforce_page(
    request: Request,
    db: Database,
    visit: PageVisit,
    error: LabelworksError | None = None,
    status_code: int = 200,
) -> Response:
    search = request.query_params.get("q", "")[:320]
    with db.read() as session:
        people = operator_views.workforce(session, search)
        choices = operator_views.project_choices(session)
    return page(
        request,
        "operator_workforce.html",
        context(
            db,
            visit.person,
            visit.token,
            people=people,
            search=search,
            projects=choices,
            done=DONE.get(request.query_params.get("done", "")),
            error=error,
            today=utcnow().date().isoformat(),
            month_start=utcnow().date().replace(day=1).isoformat(),
            days=operator_views.THROUGHPUT_DAYS,
        ),
        status_code,
    )


@router.get("/operator", response_model=None)
async def workforce_page(request: Request, db: DbDep, visit: Visit) -> Response:
    stop = gate(request, db, visit)
    if stop is not None:
        return stop
    assert visit is not None
    return await run_in_threadpool(_workforce_page, request, db, visit)


@router.get("/operator/data/labels-per-day.json", response_model=None)
async def labels_per_day_data(request: Request, db: DbDep, visit: Visit) -> Response:
    """The workforce chart (the shape `frontend/src/charts/charts.ts` documents)."""
    stop = gate(request, db, visit)
    if stop is not None:
        return stop
    with db.read() as session:
        days = operator_views.labels_per_day(session)
    return JSONResponse(
        {
            "x": [int(day.timestamp()) for day, _ in days],
            "series": [{"label": "labels", "values": [n for _, n in days]}],
            "x_kind": "time",
            "y_label": "labels",
        },
        headers={"Cache-Control": "no-store"},
    )


async def _action(
    request: Request,
    db: Database,
    visit: PageVisit | None,
    csrf_token: str,
    act: Any,
    done: str,
) -> Response:
    """A console form: CSRF checked, `act(session)` in one write transaction, then back to the
    workforce page; a refusal re-renders it with the error and its 4xx status."""
    stop = gate(request, db, visit)
    if stop is not None:
        return stop
    assert visit is not None
    try:
        web_session.check_csrf(db, visit.token, csrf_token)

        def run() -> None:
            with db.write() as session:
                act(session)

        await run_in_threadpool(run)
    except LabelworksError as exc:
        return await run_in_threadpool(_workforce_page, request, db, visit, exc, exc.status_code)
    return RedirectResponse(f"/operator?done={done}", status_code=303)


@router.post("/operator/workers/{user_id}/pause", response_model=None)
async def pause_worker(
    request: Request, db: DbDep, visit: Visit, user_id: int, csrf_token: str = Form("")
) -> Response:
    return await _action(
        request, db, visit, csrf_token, lambda s: skill.set_paused(s, user_id, True), "paused"
    )


@router.post("/operator/workers/{user_id}/unpause", response_model=None)
async def unpause_worker(
    request: Request, db: DbDep, visit: Visit, user_id: int, csrf_token: str = Form("")
) -> Response:
    return await _action(
        request, db, visit, csrf_token, lambda s: skill.set_paused(s, user_id, False), "unpaused"
    )


@router.post("/operator/qualifications", response_model=None)
async def qualify_worker(
    request: Request,
    db: DbDep,
    visit: Visit,
    csrf_token: str = Form(""),
    user_id: str = Form(""),
    project_id: str = Form(""),
    grant: str = Form(""),
) -> Response:
    """`grant=1` grants the project's qualification to the person, `grant=0` revokes it."""

    def act(session: Any) -> None:
        if grant not in ("0", "1"):
            raise InvalidRequest("must be 1 (grant) or 0 (revoke)", "grant")
        person = _form_id(user_id, "user_id")
        project = _form_id(project_id, "project_id")
        skill.set_qualified(session, person, project, grant == "1")

    done = "granted" if grant == "1" else "revoked"
    return await _action(request, db, visit, csrf_token, act, done)


@router.post("/operator/pay-rates", response_model=None)
async def set_pay_rates(
    request: Request,
    db: DbDep,
    visit: Visit,
    csrf_token: str = Form(""),
    project_id: str = Form(""),
    rate_per_label: str = Form(""),
    rate_per_review: str = Form(""),
) -> Response:
    """A project's pay rates; an empty field leaves that rate as it is."""

    def act(session: Any) -> None:
        project = session.get(Project, _form_id(project_id, "project_id"))
        if project is None or project.archived:
            raise NotFound("no such project", "project_id")
        projects.set_rates(
            session,
            project,
            _rate(rate_per_label, "rate_per_label"),
            _rate(rate_per_review, "rate_per_review"),
        )

    return await _action(request, db, visit, csrf_token, act, "rates")


def _form_id(value: str, field: str) -> int:
    """A form's id field: a positive 64-bit integer, else a 400 naming the field."""
    try:
        number = int(value)
    except ValueError:
        raise InvalidRequest("must be a number", field) from None
    if not 0 < number < 2**63:
        raise InvalidRequest("must be a positive number", field)
    return number


def _rate(value: str, field: str) -> float | None:
    if not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
        raise InvalidRequest("must be a number", field) from None


@router.post("/operator/payouts.csv", response_model=None)
async def payouts_csv(
    request: Request,
    db: DbDep,
    visit: Visit,
    csrf_token: str = Form(""),
    start: str = Form("", alias="from"),
    end: str = Form("", alias="to"),
    org: str = Form(""),
) -> Response:
    """The CLI's `payouts export` as a download: email,labels,reviews,amount over [from, to)."""
    stop = gate(request, db, visit)
    if stop is not None:
        return stop
    assert visit is not None
    try:
        web_session.check_csrf(db, visit.token, csrf_token)
        start_at = payouts.parse_bound(start, "from")
        end_at = payouts.parse_bound(end, "to")
        with db.read() as session:
            org_row = orgs.get_org(session, org.strip()) if org.strip() else None
            rows = payouts.payouts(session, start_at, end_at, org_row)
    except LabelworksError as exc:
        return await run_in_threadpool(_workforce_page, request, db, visit, exc, exc.status_code)
    out = io.StringIO()
    payouts.write_csv(rows, out)
    name = f"payouts-{start_at.date().isoformat()}-{end_at.date().isoformat()}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/operator/queue", response_model=None)
async def queue_page(request: Request, db: DbDep, visit: Visit) -> Response:
    stop = gate(request, db, visit)
    if stop is not None:
        return stop
    assert visit is not None
    with db.read() as session:
        queues = operator_views.queue_depth(session)
    now = utcnow()
    return page(
        request,
        "operator_queue.html",
        context(db, visit.person, visit.token, queues=queues, age=lambda t: age(t, now)),
    )


@router.get("/operator/deliveries", response_model=None)
async def deliveries_page(request: Request, db: DbDep, visit: Visit) -> Response:
    stop = gate(request, db, visit)
    if stop is not None:
        return stop
    assert visit is not None
    with db.read() as session:
        counts = delivery_log.failing_counts(session)
        failures = delivery_log.failing_deliveries(session)
    return page(
        request,
        "operator_deliveries.html",
        context(db, visit.person, visit.token, counts=counts, failures=failures),
    )
