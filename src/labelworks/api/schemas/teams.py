"""`/v1/teams`."""

from __future__ import annotations

from pydantic import Field

from labelworks.api.schemas.common import Model


class InviteBody(Model):
    emails: list[str]
    team_role: str | None = Field(None, description="labeler, member, manager or admin")


class SetRoleBody(Model):
    emails: list[str]
    team_role: str


class TeammateOut(Model):
    email: str
