"""Files on the wire."""

from __future__ import annotations

from pydantic import BaseModel, Field

from labelworks.api.schemas.common import JsonObject, Model


class FileImport(Model):
    file_url: str
    metadata: JsonObject | str | None = None


class FileUpload(BaseModel):
    file: bytes = Field(json_schema_extra={"format": "binary"})
    metadata: str | None = Field(None, description="a JSON object, as text")


class FileOut(Model):
    id: str
    attachment_url: str
    mime_type: str | None = None
    size: int | None = None
