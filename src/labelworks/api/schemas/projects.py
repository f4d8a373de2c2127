"""Projects on the wire."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from labelworks.api.schemas.common import JsonObject, Model


class ProjectCreate(Model):
    name: str
    type: str = Field(description="the task type of every task in the project")
    params: JsonObject | None = None
    studio: bool | None = None
    rapid: bool | None = None


class ProjectParams(Model):
    """New parameters for the project (a new entry in `param_history`)."""


class ProjectOut(Model):
    name: str
    type: str
    created_at: str
    param_history: list[dict[str, Any]]
