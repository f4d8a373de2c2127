"""Studio batches: the org's open batches in serving order, their groups and priorities.

A batch's Studio priority (`batches.priority`, lower first, NULL = unprioritised) is copied onto
each of its tasks as `tasks.batch_rank`, the column the work queue orders by; unprioritised
batches share `DEFAULT_BATCH_RANK` and are served by creation order after the prioritised ones.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session

from labelworks.db.tables import Batch, BatchGroup, Project, ProjectGroup, Task
from labelworks.db.types import utcnow
from labelworks.errors import InvalidRequest
from labelworks.services.batches import get_batch
from labelworks.services.scope import Principal, of_org, owned
from labelworks.services.studio import groups_of_project
from labelworks.services.tasks import DEFAULT_BATCH_RANK

OPEN_STATUSES = ("staging", "in_progress")


def list_batches(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """The org's open (not completed, not archived) batches, highest priority first."""
    stmt = (
        owned(select(Batch), Batch, principal)
        .where(Batch.status.in_(OPEN_STATUSES), Batch.archived.is_(False))
        .order_by(Batch.priority.is_(None), Batch.priority, Batch.created_at, Batch.id)
    )
    return _studio_json(session, list(session.scalars(stmt)))


def assign_groups(
    session: Session, principal: Principal, name: str, body: dict[str, Any]
) -> dict[str, Any]:
    """Replace the batch's project groups (an empty list opens it to every assigned teammate)."""
    batch = get_batch(session, principal, name)
    names = body.get("groups")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InvalidRequest("must be a list of project group names", "groups")
    groups = groups_of_project(session, principal, batch.project_id, names)
    session.execute(delete(BatchGroup).where(BatchGroup.batch_id == batch.id))
    session.add_all(BatchGroup(batch_id=batch.id, group_id=g.id) for g in groups)
    batch.updated_at = utcnow()
    session.flush()
    return _studio_json(session, [batch])[0]


def set_priorities(
    session: Session, principal: Principal, body: dict[str, Any]
) -> list[dict[str, Any]]:
    """`batches` lists open batches in the order to serve them; each gets priority 1, 2, ...
    (or the `priority` given with it). The list is the whole order: open batches left out of it
    become unprioritised."""
    entries = body.get("batches")
    if not isinstance(entries, list) or not entries:
        raise InvalidRequest("must be a non-empty list of {name} objects", "batches")
    wanted: dict[int, int] = {}
    for i, entry in enumerate(entries):
        field = f"batches.{i}"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise InvalidRequest("must be an object with a batch name", field)
        batch = get_batch(session, principal, entry["name"])
        if batch.status not in OPEN_STATUSES:
            raise InvalidRequest(f"batch {batch.name!r} is {batch.status}", field)
        if batch.id in wanted:
            raise InvalidRequest(f"batch {batch.name!r} is listed twice", field)
        priority = entry.get("priority", i + 1)
        if (
            isinstance(priority, bool)
            or not isinstance(priority, int)
            or not (0 <= priority < DEFAULT_BATCH_RANK)
        ):
            raise InvalidRequest(
                f"must be an integer from 0 to {DEFAULT_BATCH_RANK - 1}", f"{field}.priority"
            )
        wanted[batch.id] = priority
    _apply(session, principal, wanted)
    return list_batches(session, principal)


def reset_priorities(session: Session, principal: Principal) -> list[dict[str, Any]]:
    _apply(session, principal, {})
    return list_batches(session, principal)


def _apply(session: Session, principal: Principal, wanted: dict[int, int]) -> None:
    """Set the open batches' priorities to `wanted` (others to NULL) and re-rank their tasks."""
    open_ids = list(
        session.scalars(
            owned(select(Batch.id), Batch, principal).where(Batch.status.in_(OPEN_STATUSES))
        )
    )
    if not open_ids:
        return
    now = utcnow()
    priority = case(wanted, value=Batch.id, else_=None) if wanted else None
    session.execute(
        update(Batch)
        .where(Batch.id.in_(open_ids))
        .values(priority=priority, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    rank = (
        case(wanted, value=Task.batch_id, else_=DEFAULT_BATCH_RANK)
        if wanted
        else DEFAULT_BATCH_RANK
    )
    session.execute(
        update(Task)
        .where(of_org(Task, principal), Task.batch_id.in_(open_ids))
        .values(batch_rank=rank)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()


def _studio_json(session: Session, batches: list[Batch]) -> list[dict[str, Any]]:
    if not batches:
        return []
    ids = [b.id for b in batches]
    project_ids = sorted({b.project_id for b in batches})
    projects = {
        pid: name
        for pid, name in session.execute(
            select(Project.id, Project.name).where(Project.id.in_(project_ids))
        )
    }
    counts: dict[int | None, tuple[int, int]] = {
        batch_id: (total, done)
        for batch_id, total, done in session.execute(
            select(Task.batch_id, func.count(), func.count(case((Task.status == "completed", 1))))
            .where(of_org(Task, batches[0]), Task.batch_id.in_(ids), Task.kind == "task")
            .group_by(Task.batch_id)
        )
    }
    groups: dict[int, list[str]] = {}
    for batch_id, name in session.execute(
        select(BatchGroup.batch_id, ProjectGroup.name)
        .join(ProjectGroup, ProjectGroup.id == BatchGroup.group_id)
        .where(BatchGroup.batch_id.in_(ids))
        .order_by(ProjectGroup.name)
    ):
        groups.setdefault(batch_id, []).append(name)
    return [
        {
            "id": str(b.id),
            "name": b.name,
            "projectId": str(b.project_id),
            "projectName": projects.get(b.project_id, ""),
            "batchType": _batch_type(b),
            "status": b.status,
            "studioPriority": b.priority,
            "total": counts.get(b.id, (0, 0))[0],
            "completed": counts.get(b.id, (0, 0))[1],
            "groups": groups.get(b.id, []),
        }
        for b in batches
    ]


def _batch_type(batch: Batch) -> str:
    if batch.calibration_batch:
        return "Calibration"
    if batch.self_label_batch:
        return "SelfLabel"
    return "Production"
