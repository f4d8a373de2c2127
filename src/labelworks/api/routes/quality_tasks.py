"""/v1/evaluation_tasks/{type} (gold) and /v1/training_tasks/{type} (qualification)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from labelworks.api.body import body_of
from labelworks.api.deps import DbDep
from labelworks.api.policies.base import authorize
from labelworks.api.policies.tasks import TaskPolicy
from labelworks.api.schemas.tasks import TaskCreate, TaskOut
from labelworks.api.serialize import task_json
from labelworks.services import tasks
from labelworks.services.scope import Principal

router = APIRouter(tags=["quality tasks"])
DOC: Any = {"response_model": None, "responses": {200: {"model": TaskOut}}}
Body = Annotated[Any, body_of(TaskCreate, validate=False)]


def _quality_json(view: tasks.TaskView) -> dict[str, Any]:
    return {**task_json(*view), "id": view.task.task_id}


@router.post("/evaluation_tasks/{task_type}", summary="Create a gold task", **DOC)
def create_evaluation_task(
    task_type: str,
    body: Body,
    principal: Annotated[Principal, authorize(TaskPolicy.create)],
    db: DbDep,
) -> dict[str, Any]:
    """Like a task, plus `expected_response`: the answer workers are scored against."""
    with db.write() as session:
        return _quality_json(tasks.create_task(session, principal, task_type, body, "gold"))


@router.post("/training_tasks/{task_type}", summary="Create a training task", **DOC)
def create_training_task(
    task_type: str,
    body: Body,
    principal: Annotated[Principal, authorize(TaskPolicy.create)],
    db: DbDep,
) -> dict[str, Any]:
    """A qualification task new workers answer before they get real work."""
    with db.write() as session:
        return _quality_json(tasks.create_task(session, principal, task_type, body, "training"))
