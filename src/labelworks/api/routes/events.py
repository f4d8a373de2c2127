"""A task's lifecycle history: GET /v1/task/{task_id}/events (oldest first)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from labelworks.api.deps import DbDep
from labelworks.api.policies.base import authorize
from labelworks.api.policies.tasks import TaskPolicy
from labelworks.db.types import iso
from labelworks.services import lifecycle
from labelworks.services.scope import Principal

router = APIRouter(tags=["events"])


@router.get("/task/{task_id}/events")
def task_events(
    task_id: str, principal: Annotated[Principal, authorize(TaskPolicy.read)], db: DbDep
) -> dict[str, Any]:
    with db.read() as session:
        events = lifecycle.task_history(session, principal, task_id)
    return {
        "task_id": task_id,
        "events": [
            {
                "event": e.event,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "actor": {"kind": e.actor_kind, "id": e.actor_id},
                "detail": e.detail,
                "created_at": iso(e.created_at),
            }
            for e in events
        ],
    }
