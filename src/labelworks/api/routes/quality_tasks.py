"""/v1/evaluation_tasks/{type} (gold) and /v1/training_tasks/{type} (qualification)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from labelworks.api.deps import DbDep, JsonBody, PrincipalDep
from labelworks.api.serialize import task_json
from labelworks.services import tasks

router = APIRouter(tags=["quality tasks"])


def _quality_json(view: tasks.TaskView) -> dict[str, Any]:
    return {**task_json(*view), "id": view.task.task_id}


@router.post("/evaluation_tasks/{task_type}")
def create_evaluation_task(
    task_type: str, body: JsonBody, principal: PrincipalDep, db: DbDep
) -> dict[str, Any]:
    with db.write() as session:
        return _quality_json(tasks.create_task(session, principal, task_type, body, "gold"))


@router.post("/training_tasks/{task_type}")
def create_training_task(
    task_type: str, body: JsonBody, principal: PrincipalDep, db: DbDep
) -> dict[str, Any]:
    with db.write() as session:
        return _quality_json(tasks.create_task(session, principal, task_type, body, "training"))
