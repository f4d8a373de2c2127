"""/v1/teams and /v1/studio/... (filled in by the workforce people/studio work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["studio"])
