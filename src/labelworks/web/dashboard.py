"""The customer's landing page (`/projects`): the org's projects and batches with progress, and
the quality page. Numbers come from counters kept in the work's own transactions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from labelworks.api.deps import DbDep
from labelworks.api.policies.pages import PagePolicy, PageVisit, authorize_page
from labelworks.db.tables import Project
from labelworks.services.scope import of_org
from labelworks.web.render import context, gate, page

router = APIRouter(include_in_schema=False)


@router.get("/projects", response_model=None)
async def projects_page(
    request: Request,
    db: DbDep,
    visit: Annotated[PageVisit | None, authorize_page(PagePolicy.projects)],
) -> Response:
    stop = gate(request, db, visit)
    if stop is not None:
        return stop
    assert visit is not None
    names: list[str] = []
    org_id = visit.person.org_id
    if org_id is not None:
        with db.read() as session:
            names = list(
                session.scalars(
                    select(Project.name).where(of_org(Project, org_id)).order_by(Project.name)
                )
            )
    return page(request, "projects.html", context(db, visit.person, visit.token, projects=names))
