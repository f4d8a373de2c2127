"""Batches. An ordinary project's batch starts `in_progress` (its tasks are workable at once, as
in Scale); a staged project's (`staging` setting, Studio projects) starts `staging` and opens on
finalize. Status changes go through `services/lifecycle.py`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from labelworks.db.tables import Batch, Project
from labelworks.db.types import utcnow
from labelworks.errors import Conflict, InvalidRequest
from labelworks.services import lifecycle, trail
from labelworks.services.lifecycle import Actor
from labelworks.services.names import check_name
from labelworks.services.project_settings import project_settings
from labelworks.services.projects import get_project
from labelworks.services.scope import Principal, found, owned
from labelworks.services.urls import check_callback_url

BATCH_STATUSES = ("staging", "in_progress", "completed")


def get_batch(
    session: Session, principal: Principal, name: str, action: str | None = None
) -> Batch:
    """The batch, scoped; with `action` (e.g. `batch.get`) the access goes on the org's trail."""
    stmt = owned(select(Batch), Batch, principal).where(Batch.name == name)
    batch = found(session.scalar(stmt), "batch", name)
    if action is not None:
        trail.record(session, principal, action, [batch.name])
    return batch


def project_name(session: Session, batch: Batch) -> str:
    return session.scalar(select(Project.name).where(Project.id == batch.project_id)) or ""


def create_batch(session: Session, principal: Principal, body: dict[str, Any]) -> Batch:
    name = check_name(body.get("name"), "name")
    project_name = body.get("project")
    if not isinstance(project_name, str) or not project_name:
        raise InvalidRequest("is required", "project")
    project = get_project(session, principal, project_name)
    metadata = body.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise InvalidRequest("must be an object", "metadata")
    callback = body.get("callback") or None
    if callback is not None:
        check_callback_url(callback, "callback")
    batch = Batch(
        org_id=principal.org_id,
        project_id=project.id,
        name=name,
        status="staging" if is_staged(project) else "in_progress",
        callback=callback,
        metadata_=metadata,
        calibration_batch=bool(body.get("calibration_batch", False)),
        self_label_batch=bool(body.get("self_label_batch", False)),
        is_test=principal.is_test,
    )
    session.add(batch)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"a batch named {name!r} already exists", "name") from None
    lifecycle.batch_created(session, batch, Actor.of(principal))
    trail.record(session, principal, "batch.create", [batch.name])
    return batch


def is_staged(project: Project) -> bool:
    """Staged projects (Studio ones, or `staging` set) hold new batches until finalize."""
    return bool(project.studio) or project_settings(project.params).staging


def finalize_batch(session: Session, principal: Principal, name: str) -> Batch:
    batch = get_batch(session, principal, name, "batch.finalize")
    if batch.status == "staging":
        project = session.get(Project, batch.project_id)
        assert project is not None
        overlap = project_settings(project.params).overlap
        lifecycle.open_batch(session, batch, overlap, Actor.of(principal))
    return batch


def set_batch_metadata(session: Session, principal: Principal, name: str, metadata: Any) -> Batch:
    if not isinstance(metadata, dict):
        raise InvalidRequest("must be an object", "metadata")
    batch = get_batch(session, principal, name, "batch.update")
    batch.metadata_ = metadata
    batch.updated_at = utcnow()
    return batch


def batch_status(session: Session, principal: Principal, name: str) -> dict[str, Any]:
    return lifecycle.batch_counts(session, get_batch(session, principal, name, "batch.status"))


def list_batches(
    session: Session,
    principal: Principal,
    *,
    project: str | None,
    status: str | None,
    start_time: dt.datetime | None,
    end_time: dt.datetime | None,
    exclude_archived: bool,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Batch, str]], int]:
    stmt = owned(select(Batch, Project.name), Batch, principal).join(
        Project, Project.id == Batch.project_id
    )
    if project is not None:
        stmt = stmt.where(Batch.project_id == get_project(session, principal, project).id)
    if status is not None:
        if status not in BATCH_STATUSES:
            raise InvalidRequest(f"must be one of {', '.join(BATCH_STATUSES)}", "status")
        stmt = stmt.where(Batch.status == status)
    if start_time is not None:
        stmt = stmt.where(Batch.created_at >= start_time)
    if end_time is not None:
        stmt = stmt.where(Batch.created_at <= end_time)
    if exclude_archived:
        stmt = stmt.where(Batch.archived.is_(False))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    # Newest first, as Scale lists them.
    rows = session.execute(
        stmt.order_by(Batch.created_at.desc(), Batch.id.desc()).limit(limit).offset(offset)
    ).all()
    trail.record(session, principal, "batch.list", [row[0].name for row in rows])
    return [(b, p) for b, p in rows], total
