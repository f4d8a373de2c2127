"""transcription: the textcollection shape, but there is always something to transcribe.

Scale's older shape is taken too: `attachment` + `attachment_type`, `fields` as an object
`{field_id: description}` and `repeatable_fields` (the same, for rows an annotator may repeat:
line items of a receipt); its response is `{"fields": {field_id: text}, "repeatable_fields":
[{field_id: text}, ...]}`. Which shape a task has is decided by its params: `fields` as an object
(or `attachment` without `attachments`) is the older one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from labelworks.errors import InvalidRequest
from labelworks.tasktypes.base import Name, Record, StrictModel, TaskType, non_empty
from labelworks.tasktypes.fields import (
    Attachment,
    FieldCollection,
    FieldCollectionParams,
    FieldId,
    FormFields,
    answers_score,
    vote_answers,
)


class TranscriptionParams(FieldCollectionParams):
    attachments: Annotated[list[Attachment], AfterValidator(non_empty)]


def _described(value: Any) -> Any:
    return {"description": value} if isinstance(value, str) else value


class LegacyField(StrictModel):
    description: str = ""
    required: bool = Field(default=False, strict=True)


Described = Annotated[LegacyField, BeforeValidator(_described)]


class LegacyTranscriptionParams(StrictModel):
    attachment: Name
    attachment_type: Literal["image", "pdf", "website", "text"] = "image"
    fields: Annotated[dict[FieldId, Described], Field(min_length=1)]
    repeatable_fields: dict[FieldId, Described] = {}


class AnyTranscriptionParams(StrictModel):
    """Every key either shape takes, for checking project defaults one key at a time."""

    attachments: list[Attachment] | None = None
    attachment: Name | None = None
    attachment_type: Literal["image", "pdf", "website", "text"] | None = None
    fields: FormFields | dict[FieldId, Described]
    repeatable_fields: dict[FieldId, Described] | None = None


Row = dict[str, str]


class LegacyTranscriptionResponse(StrictModel):
    fields: dict[str, str] = {}
    repeatable_fields: list[Row] = []


def is_legacy(params: dict[str, Any]) -> bool:
    return isinstance(params.get("fields"), dict) or (
        "attachment" in params and "attachments" not in params
    )


class OlderTranscription(TaskType):
    """The older shape on its own; `Transcription` hands such tasks' params and responses to it,
    so both shapes go through `TaskType.validate_params` / `validate_response`."""

    name = "transcription"
    params_model = LegacyTranscriptionParams
    response_model = LegacyTranscriptionResponse

    def check_response(self, params: dict[str, Any], response: dict[str, Any]) -> None:
        _check_row(params["fields"], response["fields"], "response.fields")
        for i, row in enumerate(response["repeatable_fields"]):
            if not params.get("repeatable_fields"):
                raise InvalidRequest(
                    "the task has no repeatable_fields", "response.repeatable_fields"
                )
            _check_row(params["repeatable_fields"], row, f"response.repeatable_fields.{i}")


OLDER = OlderTranscription()


class Transcription(FieldCollection):
    """Params `{attachments (non-empty), fields}`; response `{"fields": {field_id: value}}`.
    Or the older `{attachment, fields: {id: description}, repeatable_fields}` (module doc)."""

    name = "transcription"
    # Every key of both shapes, so project defaults are checked key by key; a task's params are
    # validated against the model of its shape.
    params_model = AnyTranscriptionParams

    def validate_params(
        self, params: dict[str, Any], warnings: list[str] | None = None
    ) -> dict[str, Any]:
        if isinstance(params, dict) and is_legacy(params):
            return OLDER.validate_params(params, warnings)
        return CURRENT.validate_params(params, warnings)

    def validate_response(self, params: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
        if is_legacy(params):
            return OLDER.validate_response(params, response)
        return super().validate_response(params, response)

    def consensus(
        self, params: dict[str, Any], responses: list[dict[str, Any]], weights: list[float]
    ) -> tuple[dict[str, Any], float]:
        """Older shape: field by field weighted vote; the repeated rows of the most trusted
        annotator among those who wrote the most common number of rows."""
        if not is_legacy(params):
            return super().consensus(params, responses, weights)
        fields, confidence = vote_answers([r.get("fields", {}) for r in responses], weights)
        counts: dict[int, float] = {}
        for r, w in zip(responses, weights, strict=True):
            n = len(r.get("repeatable_fields", []))
            counts[n] = counts.get(n, 0.0) + w
        rows = max(counts, key=lambda n: counts[n])
        best = max(
            (i for i, r in enumerate(responses) if len(r.get("repeatable_fields", [])) == rows),
            key=lambda i: weights[i],
        )
        return {
            "fields": fields,
            "repeatable_fields": responses[best].get("repeatable_fields", []),
        }, confidence

    def score(
        self, params: dict[str, Any], response: dict[str, Any], expected: dict[str, Any]
    ) -> float | None:
        """Share of the expected fields transcribed the same (whitespace and case aside)."""
        return answers_score(response.get("fields", {}), expected.get("fields", {}))

    def placeholder_response(self, params: dict[str, Any]) -> dict[str, Any]:
        """A valid answer for test-environment tasks."""
        if is_legacy(params):
            fields = params["fields"]
            return {
                "fields": {k: "placeholder" for k, spec in fields.items() if spec["required"]},
                "repeatable_fields": [],
            }
        answers: dict[str, Any] = {}
        for f in params["fields"]:
            if f.get("required", True):
                answers[f["field_id"]] = _stand_in(f)
        return {"fields": answers}

    def sft_messages(self, record: Record) -> list[dict[str, str]] | None:
        if is_legacy(record.params):
            return None
        return super().sft_messages(record)

    def hf_row(self, record: Record) -> dict[str, Any]:
        if is_legacy(record.params):
            attachments = [
                {
                    "type": record.params.get("attachment_type", "image"),
                    "content": record.params["attachment"],
                }
            ]
            return {**super().hf_row(record), "attachments": attachments}
        return super().hf_row(record)


def _check_row(specs: dict[str, Any], row: dict[str, str], path: str) -> None:
    for key in row:
        if key not in specs:
            raise InvalidRequest(f"unknown field; expected one of {sorted(specs)}", f"{path}.{key}")
    for key, spec in specs.items():
        if spec.get("required") and not row.get(key, "").strip():
            raise InvalidRequest("is required", f"{path}.{key}")


def _stand_in(field: dict[str, Any]) -> Any:
    if field["type"] == "number":
        return field.get("min", 0)
    if field["type"] == "category":
        first = field["choices"][0]["value"]
        return [first] if field.get("allow_multiple") else first
    return "x" * max(1, field.get("min_characters") or 1)


class CurrentTranscription(FieldCollection):
    """The current shape's params model, for `Transcription.validate_params`."""

    name = "transcription"
    params_model = TranscriptionParams


CURRENT = CurrentTranscription()
