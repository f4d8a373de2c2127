"""The operator console (`/operator/...`, role admin): the workforce, the queue per org, delivery
failures, payouts."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
