"""Callback delivery log and redelivery: /v1/task/{id}/deliveries, /v1/task/{id}/redeliver."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from labelworks.api.deps import DbDep, PrincipalDep
from labelworks.services.delivery import log

router = APIRouter(tags=["deliveries"])
Json = dict[str, Any]


@router.get("/task/{task_id}/deliveries")
def task_deliveries(task_id: str, principal: PrincipalDep, db: DbDep) -> Json:
    with db.read() as session:
        return log.task_deliveries(session, principal, task_id)


@router.post("/task/{task_id}/redeliver")
def redeliver_task(task_id: str, principal: PrincipalDep, db: DbDep) -> Json:
    with db.write() as session:
        return log.redeliver_task(session, principal, task_id)


@router.get("/batches/{name}/deliveries")
def batch_deliveries(name: str, principal: PrincipalDep, db: DbDep) -> Json:
    with db.read() as session:
        return log.batch_deliveries(session, principal, name)
