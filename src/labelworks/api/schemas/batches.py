"""Batches on the wire."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from labelworks.api.schemas.common import JsonObject, Model

BatchStatus = Literal["staging", "in_progress", "completed"]


class BatchCreate(Model):
    project: str
    name: str
    callback: str | None = Field(None, description='callback URL; "" means none')
    calibration_batch: bool | None = None
    self_label_batch: bool | None = None
    metadata: JsonObject | None = None


class BatchOut(Model):
    name: str
    project: str
    status: str = Field(description="staging, in_progress or completed")
    callback: str | None = None
    metadata: JsonObject | None = None
    created_at: str
    updated_at: str | None = None


class BatchList(BaseModel):
    docs: list[BatchOut]
    totalDocs: int
    limit: int
    offset: int
    has_more: bool


class BatchStatusOut(Model):
    status: str
