"""Shapes shared by every resource: the error body, free-form JSON objects."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

JsonObject = dict[str, Any]
INT64_MAX = 2**63 - 1


class Model(BaseModel):
    """A response or body object that may carry keys beyond the documented ones."""

    model_config = ConfigDict(extra="allow")


class ErrorOut(BaseModel):
    """Every error: the HTTP status again and one line naming the field and the reason."""

    status_code: int = Field(examples=[400])
    error: str = Field(examples=["limit: must be between 1 and 100"])
