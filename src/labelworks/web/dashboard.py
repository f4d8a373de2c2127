"""The customer's landing page (`/projects`): the org's projects and batches with progress and a
throughput chart, and the quality page (`/quality`). Numbers come from counters kept in the
work's own transactions (`services/counters.py`); charts are drawn in the browser from the
`…/data/*.json` endpoints here, which answer JSON errors instead of pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from labelworks.api.deps import DbDep
from labelworks.api.policies.pages import PagePolicy, PageVisit, authorize_page
from labelworks.api.policies.projects import ProjectPolicy
from labelworks.api.responses import fast_json
from labelworks.errors import Forbidden, NotFound, Unauthorized
from labelworks.services import dashboard, quality_report
from labelworks.services.scope import Principal
from labelworks.web import render

router = APIRouter(include_in_schema=False)
Visit = Annotated[PageVisit | None, authorize_page(PagePolicy.customer)]


def _principal(db: DbDep, visit: PageVisit) -> Principal | str:
    """The customer's principal, or why they may not read the org's projects."""
    try:
        principal = render.customer_principal(db, visit)
    except Forbidden as exc:
        return exc.message
    return render.check(ProjectPolicy.read, principal) or principal


def _data_principal(db: DbDep, visit: PageVisit | None) -> Principal:
    """For the JSON endpoints: 401/403 as JSON errors, never a redirect or a page."""
    if visit is None:
        raise Unauthorized("sign in first")
    if visit.refused:
        raise Forbidden(visit.refused)
    principal = _principal(db, visit)
    if isinstance(principal, str):
        raise Forbidden(principal)
    return principal


@router.get("/projects", response_model=None)
def projects_page(request: Request, db: DbDep, visit: Visit) -> Response:
    stop = render.gate(request, db, visit)
    if stop is not None:
        return stop
    assert visit is not None
    principal = _principal(db, visit)
    if isinstance(principal, str):
        return render.refused(request, db, visit, principal)
    with db.read() as session:
        projects = dashboard.landing(session, principal)
    ctx = render.context(db, visit.person, visit.token, projects=projects)
    return render.page(request, "projects.html", ctx)


@router.get("/projects/data/throughput.json", response_model=None)
def throughput_data(
    db: DbDep,
    visit: Visit,
    range_: Annotated[str, Query(alias="range", max_length=8)] = "48h",
    project: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    principal = _data_principal(db, visit)
    with db.read() as session:
        return fast_json(dashboard.throughput(session, principal, range_, project))


@router.get("/quality", response_model=None)
def quality_page(request: Request, db: DbDep, visit: Visit) -> Response:
    stop = render.gate(request, db, visit)
    if stop is not None:
        return stop
    assert visit is not None
    principal = _principal(db, visit)
    if isinstance(principal, str):
        return render.refused(request, db, visit, principal)
    with db.read() as session:
        projects = quality_report.projects(session, principal)
    annotators = quality_report.gold_by_annotator(db, principal)
    ctx = render.context(
        db, visit.person, visit.token, projects=projects, annotators=annotators,
        days=quality_report.DAYS, sample=quality_report.SAMPLE,
    )  # fmt: skip
    return render.page(request, "quality.html", ctx)


@router.get("/quality/data/{chart}.json", response_model=None)
def quality_data(db: DbDep, visit: Visit, chart: str) -> Response:
    principal = _data_principal(db, visit)
    with db.read() as session:
        charts = quality_report.daily(session, principal)
    if chart not in charts:
        raise NotFound(f"no chart named {chart!r}")
    return fast_json(charts[chart])
