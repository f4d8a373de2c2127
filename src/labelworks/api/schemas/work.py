"""`/work`: the worker API (label and review assignments)."""

from __future__ import annotations

from typing import Any

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
