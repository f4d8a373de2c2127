"""/healthz: liveness, no credentials."""

from __future__ import annotations

from fastapi import APIRouter

from labelworks.api.policies.base import PUBLIC

router = APIRouter(tags=["health"], dependencies=[PUBLIC])


@router.get("/healthz", summary="Liveness")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
