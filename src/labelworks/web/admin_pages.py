"""Org administration in the browser (`/org/...`): API keys, the callback secret, the team and
invites, project settings, exports."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
