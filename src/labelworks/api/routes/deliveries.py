"""/v1/task/{id}/deliveries and /v1/task/{id}/redeliver (filled in by the delivery work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["deliveries"])
