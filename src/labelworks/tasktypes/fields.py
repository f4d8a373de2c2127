"""Form fields and attachments shared by the free-text types (textcollection, transcription) and
comparison: a task asks a list of questions (`fields`), an annotator answers `{field_id: value}`.

Each field model checks its own answer (`check_value`), so a type that adds a field kind (likert in
comparison) only adds a model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, TypeAdapter, field_validator

from labelworks.errors import InvalidRequest
from labelworks.tasktypes.base import (
    Count,
    Flag,
    Name,
    Number,
    Record,
    StrictModel,
    TaskType,
    Text,
    at_least,
    check_number,
    first_duplicate,
    non_empty,
)

PLACEHOLDER_TEXT = "Test response"

AttachmentKind = Literal["text", "image", "website", "audio", "video", "pdf"]


class Attachment(StrictModel):
    """Context shown to the annotator: inline text, or a URL for the other kinds."""

    type: AttachmentKind
    content: Text


def _field_id(value: str) -> str:
    # Field ids become keys in the response and columns in exports; whitespace breaks both.
    if any(ch.isspace() for ch in value):
        raise ValueError("must not contain whitespace")
    return value


FieldId = Annotated[Name, AfterValidator(_field_id)]


class BaseField(StrictModel):
    """What every question has; subclasses add `type`, their options and `check_value`."""

    type: str  # narrowed to a Literal by each kind; declared here so it is dumped first
    field_id: FieldId
    title: Name
    description: str | None = None
    required: Flag = True

    def check_value(self, value: Any, path: str) -> Any:
        """Return the normalised answer or raise InvalidRequest at `path`."""
        raise NotImplementedError

    def placeholder(self) -> Any:
        """A valid answer (test-mode tasks complete with it)."""
        raise NotImplementedError


class TextField(BaseField):
    type: Literal["text"]
    min_characters: Count | None = None
    max_characters: Annotated[int, Field(strict=True, ge=1)] | None = None

    _max_at_least_min = field_validator("max_characters")(at_least("min_characters"))

    def check_value(self, value: Any, path: str) -> str:
        if not isinstance(value, str):
            raise InvalidRequest("must be a string", path)
        if self.min_characters is not None and len(value) < self.min_characters:
            raise InvalidRequest(f"must have at least {self.min_characters} characters", path)
        if self.max_characters is not None and len(value) > self.max_characters:
            raise InvalidRequest(f"must have at most {self.max_characters} characters", path)
        return value

    def placeholder(self) -> str:
        text = PLACEHOLDER_TEXT.ljust(self.min_characters or 0, ".")
        return text[: self.max_characters] if self.max_characters else text


class NumberField(BaseField):
    type: Literal["number"]
    min: Number | None = None
    max: Number | None = None

    _max_at_least_min = field_validator("max")(at_least("min"))

    def check_value(self, value: Any, path: str) -> float | int:
        return check_number(value, path, self.min, self.max)

    def placeholder(self) -> float | int:
        low = 0 if self.min is None else self.min
        return low if self.max is None else min(low, self.max)


class Choice(StrictModel):
    label: Name
    value: Name


def _choice(item: Any) -> Any:
    # A bare string is shorthand for a choice whose label and value are the same.
    return {"label": item, "value": item} if isinstance(item, str) else item


def _distinct_values(choices: list[Choice]) -> list[Choice]:
    first_duplicate((c.value for c in choices), "choice value")
    return choices


Choices = Annotated[
    list[Annotated[Choice, BeforeValidator(_choice)]],
    AfterValidator(non_empty),
    AfterValidator(_distinct_values),
]


class CategoryField(BaseField):
    type: Literal["category"]
    choices: Choices
    allow_multiple: Flag = False

    def check_value(self, value: Any, path: str) -> str | list[str]:
        if not self.allow_multiple:
            return self._check_choice(value, path)
        if not isinstance(value, list) or not value:
            raise InvalidRequest("must be a non-empty list of choice values", path)
        picked = [self._check_choice(v, f"{path}.{i}") for i, v in enumerate(value)]
        try:
            first_duplicate(picked, "choice")
        except ValueError as exc:
            raise InvalidRequest(str(exc), path) from None
        return picked

    def placeholder(self) -> str | list[str]:
        first = self.choices[0].value
        return [first] if self.allow_multiple else first

    def _check_choice(self, value: Any, path: str) -> str:
        values = [c.value for c in self.choices]
        if not isinstance(value, str) or value not in values:
            raise InvalidRequest(f"{value!r} is not one of the choices {values}", path)
        return value


def distinct_field_ids(fields: list[BaseField]) -> list[BaseField]:
    """AfterValidator: answers are keyed by field_id, so two questions cannot share one."""
    first_duplicate((f.field_id for f in fields), "field_id")
    return fields


FormField = Annotated[TextField | NumberField | CategoryField, Field(discriminator="type")]
FormFields = Annotated[
    list[FormField], AfterValidator(non_empty), AfterValidator(distinct_field_ids)
]


def check_answers(
    fields: Sequence[BaseField], answers: dict[str, Any], path: str
) -> dict[str, Any]:
    """Check `{field_id: value}` against the questions; return the answers in question order.

    An empty string or null counts as no answer, so a required field cannot be skipped that way.
    """
    known = {f.field_id for f in fields}
    for field_id in answers:
        if field_id not in known:
            raise InvalidRequest(
                f"unknown field; expected one of {sorted(known)}", f"{path}.{field_id}"
            )
    checked: dict[str, Any] = {}
    for field in fields:
        value = answers.get(field.field_id)
        if value is None or value == "":
            if field.required:
                raise InvalidRequest("is required", f"{path}.{field.field_id}")
            continue
        checked[field.field_id] = field.check_value(value, f"{path}.{field.field_id}")
    return checked


class FieldCollectionParams(StrictModel):
    attachments: list[Attachment] = []
    fields: FormFields


class FieldCollectionResponse(StrictModel):
    fields: dict[str, Any] = {}


_FORM_FIELDS: TypeAdapter[list[FormField]] = TypeAdapter(list[FormField])


class FieldCollection(TaskType):
    """Free-text collection: show attachments, ask the fields, store the answers."""

    params_model: ClassVar[type[BaseModel]] = FieldCollectionParams
    response_model = FieldCollectionResponse
    export_formats = ("jsonl", "hf", "sft")

    def placeholder_response(self, params: dict[str, Any]) -> dict[str, Any]:
        """Every field answered with a value its bounds accept."""
        fields = _FORM_FIELDS.validate_python(params["fields"])
        return {"fields": {f.field_id: f.placeholder() for f in fields}}

    def check_response(self, params: dict[str, Any], response: dict[str, Any]) -> None:
        fields = _FORM_FIELDS.validate_python(params["fields"])
        response["fields"] = check_answers(fields, response.get("fields", {}), "response.fields")

    # --- exports -------------------------------------------------------------------------

    def sft_messages(self, record: Record) -> list[dict[str, str]] | None:
        """A chat for supervised fine-tuning: the user turn is the text attachments' content
        (joined by blank lines), or the task instruction when there is none; the assistant turn
        is the answer to the first `text` field (in params order). None when either is empty."""
        prompt = attachments_text(record.params) or (record.instruction or "")
        answers = (record.response or {}).get("fields", {})
        answer = next(
            (
                answers[f["field_id"]]
                for f in record.params["fields"]
                if f["type"] == "text" and answers.get(f["field_id"])
            ),
            None,
        )
        if not prompt or not answer:
            return None
        return [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]

    def hf_fields(self) -> list[tuple[str, Any]]:
        import pyarrow as pa

        attachment = pa.struct([("type", pa.string()), ("content", pa.string())])
        answer = pa.struct([("field_id", pa.string()), ("value", pa.string())])
        return [("attachments", pa.list_(attachment)), ("answers", pa.list_(answer))]

    def hf_row(self, record: Record) -> dict[str, Any]:
        """Answers in params order; a string answer as-is, any other value as JSON."""
        return {
            "attachments": record.params.get("attachments", []),
            "answers": answer_rows(record.response),
        }


def attachments_text(params: dict[str, Any]) -> str:
    """The content of a task's text attachments, joined by blank lines."""
    return "\n\n".join(a["content"] for a in params.get("attachments", []) if a["type"] == "text")


def answer_rows(response: dict[str, Any] | None) -> list[dict[str, str]]:
    return [
        {"field_id": k, "value": v if isinstance(v, str) else json.dumps(v)}
        for k, v in (response or {}).get("fields", {}).items()
    ]


# --- Scale's older object form of fields: `{field_id: description}` --------------------------
# (datacollection, and transcription's older shape). Answers are `{field_id: value}` as above.


def vote_answers(
    answers: list[dict[str, Any]], weights: list[float]
) -> tuple[dict[str, Any], float]:
    """Each field's weighted-majority value (values compared as JSON, strings with whitespace
    normalised); the confidence is the mean share of weight the winning values got."""
    out: dict[str, Any] = {}
    shares: list[float] = []
    total = sum(weights) or 1.0
    keys = list(dict.fromkeys(k for a in answers for k in a))
    for key in keys:
        tally: dict[str, float] = {}
        value_of: dict[str, Any] = {}
        for a, w in zip(answers, weights, strict=True):
            if key not in a:
                continue
            norm = _normal(a[key])
            tally[norm] = tally.get(norm, 0.0) + w
            # The most trusted annotator's spelling of a value stands for it.
            if norm not in value_of or w > value_of[norm][1]:
                value_of[norm] = (a[key], w)
        best = max(tally, key=lambda k: tally[k])
        out[key] = value_of[best][0]
        shares.append(tally[best] / total)
    return out, (sum(shares) / len(shares) if shares else 1.0)


def answers_score(answers: dict[str, Any], expected: dict[str, Any]) -> float:
    """Fraction of the expected fields answered the same (whitespace-normalised)."""
    if not expected:
        return 1.0 if not answers else 0.0
    same = sum(1 for k, v in expected.items() if k in answers and _normal(answers[k]) == _normal(v))
    return same / len(expected)


def _normal(value: Any) -> str:
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    return json.dumps(value, sort_keys=True)
