"""`/v1/conflicts` and `/v1/breakglass`."""

from __future__ import annotations

from pydantic import Field

from labelworks.api.schemas.common import Model


class WallRequestBody(Model):
    competitors: list[str] = Field(description="competitors' organisation names, as you know them")
    days: int | None = Field(None, description="cooling-off window in days (default 30)")


class WallRequestOut(Model):
    requested: list[str]
    days: int


class WallRequestRow(Model):
    name: str
    days: int
    requested_at: str


class WallRequestsOut(Model):
    requests: list[WallRequestRow]


class GrantOut(Model):
    id: int
    operator: str
    reason: str
    granted_at: str
    expires_at: str
    active: bool


class GrantsOut(Model):
    grants: list[GrantOut]
