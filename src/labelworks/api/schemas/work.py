"""`/work`: the worker API (label and review assignments)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from labelworks.api.schemas.common import Model


class NextBody(BaseModel):
    project: str | None = Field(None, description="only work of this project")


class AssignmentOut(Model):
    """One leased assignment: the task to label (or the labels to review) and the lease."""

    assignment_id: int


class SubmitBody(Model):
    """Label stage: `{"response": {...}}` in the task type's response shape. Review stage:
    `{"decision": "accept" | "reject" | "fix", "response": {...}}` (`response` with a fix)."""

    response: Any = None
    decision: str | None = None


class SubmitOut(Model):
    assignment_id: int
    status: str


class LeaseOut(Model):
    assignment_id: int


class NumbersOut(Model):
    email: str
    role: str


class QueueHoldBody(BaseModel):
    """The workspace's prefetch: hold up to `hold` leases at `stage` (held ones come first)."""

    hold: int = Field(2, ge=1, le=3)
    stage: Literal["label", "review"] = "label"
    project: str | None = Field(None, description="only work of this project")
    exclude: list[int] = Field(
        default_factory=list,
        description="leases being submitted right now: they neither count nor come back",
    )


class QueueOut(Model):
    leases: list[dict[str, Any]]


class QueueReleaseBody(BaseModel):
    assignment_ids: list[int] = Field(description="leases to give back (unworked ones only)")


class QueueReleaseOut(Model):
    released: list[int]


class DraftBody(Model):
    """The answer in progress, in the task type's response shape (any JSON while drafting)."""

    response: Any = None
