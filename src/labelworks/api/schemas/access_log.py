"""The access trail as `GET /v1/access-log` serves it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from labelworks.api.schemas.common import Model

ActorKind = Literal[
    "api_key", "user", "annotator", "reviewer", "operator", "export", "callback", "system"
]


class TrailActorOut(Model):
    kind: ActorKind
    id: str | None = Field(None, description="the API key id or user id")
    role: str | None = None


class TrailRecordOut(Model):
    seq: int = Field(description="position in the org's chain, from 1")
    at: str = Field(examples=["2026-11-25T19:21:48.123456Z"])
    actor: TrailActorOut
    action: str = Field(examples=["task.get", "task.list", "work.next", "export.run"])
    object_type: str | None = None
    object_ids: list[str] = Field(description="ids touched; a long list: the first and last")
    count: int = Field(description="how many objects the access touched")
    reason: str | None = None
    prev_hash: str
    hash: str = Field(description="SHA-256 over the canonical record and prev_hash")


class AccessLogOut(Model):
    docs: list[TrailRecordOut]
    limit: int
    has_more: bool
    next_token: str | None = None
