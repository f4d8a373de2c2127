"""Tasks on the wire: `POST /v1/task/{type}` bodies and the task object."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from labelworks.api.schemas.common import JsonObject, Model

TaskStatus = Literal["pending", "completed", "canceled", "error"]
ReviewStatus = Literal["accepted", "fixed", "commented", "rejected", "pending"]


class TaskCreate(Model):
    """The common fields of every task type. Each type adds its own parameters (e.g.
    `categories` for categorization, `geometries` for imageannotation) as top-level keys; unknown
    keys are accepted and named in the response's `warnings`."""

    project: str | None = Field(None, description="project name; optional (the type's defaults)")
    batch: str | None = None
    instruction: str | None = Field(None, description="markdown shown to the labeller")
    callback_url: str | None = None
    attachment: str | None = None
    attachment_type: str | None = None
    metadata: JsonObject | None = None
    unique_id: str | None = Field(None, description="idempotency key: a duplicate is a 409")
    tags: list[str] | None = None
    priority: int | None = None


class TaskOut(Model):
    """A task as Scale shows it: a key with no value is absent (never null)."""

    task_id: str
    type: str
    status: str = Field(description="pending, completed, canceled or error")
    created_at: str
    updated_at: str
    project: str | None = None
    batch: str | None = None
    instruction: str | None = None
    params: JsonObject | None = None
    callback_url: str | None = None
    metadata: JsonObject | None = None
    unique_id: str | None = None
    tags: list[str] | None = None
    priority: int | None = None
    is_test: bool | None = None
    work_started: bool | None = None
    completed_at: str | None = None
    audits: list[Any] | None = None
    customer_review_status: str | None = None
    callback_succeeded: bool | None = None
    response: Any = None


class LimitedTaskOut(Model):
    """A task with `limited_response=true`: only these keys."""

    task_id: str
    status: str
    metadata: JsonObject | None = None
    project: str | None = None


class TaskList(BaseModel):
    docs: list[TaskOut | LimitedTaskOut]
    total: int
    limit: int
    offset: int
    has_more: bool
    next_token: str | None = None


class AuditBody(BaseModel):
    model_config = ConfigDict(extra="allow")
    accepted: bool | None = None
    comments: str | None = None
    response: dict[str, Any] | None = Field(
        None,
        description="Labelworks extension: with `accepted: true`, a corrected response (validated "
        "as a submission is) that replaces the task's response; the audit is recorded as fixed.",
    )


class UniqueIdBody(BaseModel):
    model_config = ConfigDict(extra="allow")
    unique_id: str | None = None


Tags = list[str]
