"""datacollection: Scale's free-form collection endpoint. An annotator looks at the attachment
(often a website) and fills in named fields; a field may ask for files.

Params: `attachment`, `attachment_type`, `attachments` (more context, like textcollection's),
`fields`: `{field_id: description}` or `{field_id: {description, type, required}}` with `type`
text (default), number, url, or file (`multiple: true` for several). Response:
`{"fields": {field_id: value}}`; a file is `{url, name?, content_type?}` (an upload's
`attachment_url` from `/v1/files/upload`, or any URL), several files a list of them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from labelworks.errors import InvalidRequest
from labelworks.tasktypes.base import (
    Flag,
    Name,
    Record,
    StrictModel,
    TaskType,
    check_number,
    parse,
)
from labelworks.tasktypes.fields import (
    Attachment,
    FieldId,
    answer_rows,
    answers_score,
    vote_answers,
)

AttachmentType = Literal["website", "image", "text", "pdf", "video", "audio"]


class FileValue(StrictModel):
    url: Name
    name: str | None = None
    content_type: str | None = None


def _described(value: Any) -> Any:
    # The original form: a field is just its description.
    return {"description": value} if isinstance(value, str) else value


class CollectField(StrictModel):
    description: str = ""
    type: Literal["text", "number", "url", "file"] = "text"
    required: Flag = True
    multiple: Flag = False  # file fields: a list of files


class DataCollectionParams(StrictModel):
    attachment: Name | None = None
    attachment_type: AttachmentType | None = None
    attachments: list[Attachment] = []
    fields: Annotated[
        dict[FieldId, Annotated[CollectField, BeforeValidator(_described)]],
        Field(min_length=1),
    ]


class DataCollectionResponse(StrictModel):
    fields: dict[str, Any] = {}


class DataCollection(TaskType):
    """Params `{attachment?, attachment_type?, attachments?, fields}`; response
    `{"fields": {field_id: value}}`."""

    name = "datacollection"
    params_model = DataCollectionParams
    response_model = DataCollectionResponse
    export_formats = ("jsonl", "hf")

    def check_response(self, params: dict[str, Any], response: dict[str, Any]) -> None:
        specs = params["fields"]
        answers = response.get("fields", {})
        for key in answers:
            if key not in specs:
                raise InvalidRequest(
                    f"unknown field; expected one of {sorted(specs)}", f"response.fields.{key}"
                )
        checked: dict[str, Any] = {}
        for key, spec in specs.items():
            path = f"response.fields.{key}"
            value = answers.get(key)
            if value is None or value == "" or value == []:
                if spec["required"]:
                    raise InvalidRequest("is required", path)
                continue
            checked[key] = _check_value(spec, value, path)
        response["fields"] = checked

    def consensus(
        self, params: dict[str, Any], responses: list[dict[str, Any]], weights: list[float]
    ) -> tuple[dict[str, Any], float]:
        """Field by field weighted vote (a file field by its URLs)."""
        answers, confidence = vote_answers([r.get("fields", {}) for r in responses], weights)
        return {"fields": answers}, confidence

    def score(
        self, params: dict[str, Any], response: dict[str, Any], expected: dict[str, Any]
    ) -> float | None:
        return answers_score(response.get("fields", {}), expected.get("fields", {}))

    def placeholder_response(self, params: dict[str, Any]) -> dict[str, Any]:
        """A valid answer for test-environment tasks: a stand-in value per required field."""
        stand_in = {
            "text": "placeholder",
            "number": 0,
            "url": "https://example.com/",
            "file": {"url": "https://example.com/placeholder.txt"},
        }
        fields = {}
        for key, spec in params["fields"].items():
            if spec["required"]:
                value = stand_in[spec["type"]]
                fields[key] = [value] if spec["type"] == "file" and spec["multiple"] else value
        return {"fields": fields}

    # --- exports ----------------------------------------------------------------------------

    def hf_fields(self) -> list[tuple[str, Any]]:
        import pyarrow as pa

        answer = pa.struct([("field_id", pa.string()), ("value", pa.string())])
        return [("attachment", pa.string()), ("answers", pa.list_(answer))]

    def hf_row(self, record: Record) -> dict[str, Any]:
        """Answers in params order; a string answer as-is, any other value (files) as JSON."""
        return {
            "attachment": record.params.get("attachment"),
            "answers": answer_rows(record.response),
        }


def _check_value(spec: dict[str, Any], value: Any, path: str) -> Any:
    kind = spec["type"]
    if kind == "number":
        return check_number(value, path, None, None)
    if kind == "file":
        if spec["multiple"]:
            if not isinstance(value, list):
                raise InvalidRequest("must be a list of files", path)
            return [_file(v, f"{path}.{i}") for i, v in enumerate(value)]
        return _file(value, path)
    if not isinstance(value, str):
        raise InvalidRequest("must be a string", path)
    if kind == "url" and not value.startswith(("http://", "https://")):
        raise InvalidRequest("must be an http(s) URL", path)
    return value


def _file(value: Any, path: str) -> dict[str, Any]:
    if isinstance(value, str):  # a bare URL
        value = {"url": value}
    return parse(FileValue, value, tuple(path.split("."))).model_dump(
        mode="json", exclude_none=True
    )
