"""Callback delivery log and redelivery: /v1/task/{id}/deliveries, /v1/task/{id}/redeliver."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from labelworks.api.deps import DbDep
from labelworks.api.policies.base import authorize
from labelworks.api.policies.deliveries import DeliveryPolicy
from labelworks.api.schemas.deliveries import DeliveriesOut
from labelworks.services.delivery import log
from labelworks.services.scope import Principal

router = APIRouter(tags=["deliveries"])
Json = dict[str, Any]
DOC: Any = {"response_model": None, "responses": {200: {"model": DeliveriesOut}}}


@router.get("/task/{task_id}/deliveries", summary="A task's callback deliveries", **DOC)
def task_deliveries(
    task_id: str, principal: Annotated[Principal, authorize(DeliveryPolicy.read)], db: DbDep
) -> Json:
    with db.read() as session:
        return log.task_deliveries(session, principal, task_id)


@router.post("/task/{task_id}/redeliver", summary="Send a task's callback again", **DOC)
def redeliver_task(
    task_id: str, principal: Annotated[Principal, authorize(DeliveryPolicy.redeliver)], db: DbDep
) -> Json:
    with db.write() as session:
        return log.redeliver_task(session, principal, task_id)


@router.get("/batches/{name}/deliveries", summary="A batch's callback deliveries", **DOC)
def batch_deliveries(
    name: str, principal: Annotated[Principal, authorize(DeliveryPolicy.read)], db: DbDep
) -> Json:
    with db.read() as session:
        return log.batch_deliveries(session, principal, name)
