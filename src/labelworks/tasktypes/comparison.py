"""comparison: RLHF preference between two or more model responses to one prompt.

The annotator picks the better response (`chosen`, or "tie" when allowed), optionally ranks all of
them, and answers any extra fields (likert strength, reasons...).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, TypeAdapter

from labelworks.errors import InvalidRequest
from labelworks.tasktypes.base import (
    Flag,
    Name,
    Record,
    StrictModel,
    TaskType,
    Text,
    check_number,
    first_duplicate,
)
from labelworks.tasktypes.fields import (
    Attachment,
    BaseField,
    CategoryField,
    NumberField,
    TextField,
    answer_rows,
    attachments_text,
    check_answers,
    distinct_field_ids,
)

TIE = "tie"


class LikertField(BaseField):
    """A 1..scale rating, e.g. how much better the chosen response is."""

    type: Literal["likert"]
    scale: Annotated[int, Field(strict=True, ge=2, le=10)] = 7
    min_label: str | None = None
    max_label: str | None = None

    def check_value(self, value: Any, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidRequest(f"must be an integer from 1 to {self.scale}", path)
        return int(check_number(value, path, 1, self.scale))

    def placeholder(self) -> int:
        return 1


class ModelResponse(StrictModel):
    id: Name
    content: Text
    model: str | None = None


def _response_ids(responses: list[ModelResponse]) -> list[ModelResponse]:
    if len(responses) < 2:
        raise ValueError("must have at least 2 responses to compare")
    first_duplicate((r.id for r in responses), "response id")
    if any(r.id == TIE for r in responses):
        raise ValueError(f"{TIE!r} is reserved for a tie and cannot be a response id")
    return responses


ComparisonField = Annotated[
    TextField | NumberField | CategoryField | LikertField, Field(discriminator="type")
]
_FIELDS: TypeAdapter[list[ComparisonField]] = TypeAdapter(list[ComparisonField])


class ComparisonParams(StrictModel):
    prompt: Text
    attachments: list[Attachment] = []
    responses: Annotated[list[ModelResponse], AfterValidator(_response_ids)]
    fields: Annotated[list[ComparisonField], AfterValidator(distinct_field_ids)] = []
    allow_tie: Flag = False
    ranking: Flag = False


class ComparisonResponse(StrictModel):
    chosen: Name
    ranking: list[Name] | None = None
    fields: dict[str, Any] = {}


class Comparison(TaskType):
    """Params `{prompt, responses, attachments?, fields?, allow_tie, ranking}`; response
    `{"chosen": id | "tie", "ranking"?: [ids], "fields": {field_id: value}}`."""

    name = "comparison"
    params_model = ComparisonParams
    response_model = ComparisonResponse
    export_formats = ("jsonl", "hf", "dpo")
    # Scale's older comparison task's keys, kept but not acted on.
    scale_params = ("attachment_type", "choices")

    def placeholder_response(self, params: dict[str, Any]) -> dict[str, Any]:
        """The first response chosen (and ranked first), every field answered."""
        ids = [r["id"] for r in params["responses"]]
        out: dict[str, Any] = {"chosen": ids[0]}
        if params.get("ranking"):
            out["ranking"] = ids
        fields = _FIELDS.validate_python(params.get("fields", []))
        out["fields"] = {f.field_id: f.placeholder() for f in fields}
        return out

    def check_response(self, params: dict[str, Any], response: dict[str, Any]) -> None:
        ids = [r["id"] for r in params["responses"]]
        chosen = response["chosen"]
        if chosen == TIE and not params.get("allow_tie"):
            raise InvalidRequest("a tie is not allowed (allow_tie is false)", "response.chosen")
        if chosen != TIE and chosen not in ids:
            raise InvalidRequest(
                f"{chosen!r} is not one of the response ids {ids}", "response.chosen"
            )
        ranking = response.get("ranking")
        if ranking is None and params.get("ranking"):
            raise InvalidRequest("is required (ranking is true)", "response.ranking")
        if ranking is not None:
            _check_ranking(ranking, ids, chosen)
        fields = _FIELDS.validate_python(params.get("fields", []))
        response["fields"] = check_answers(fields, response.get("fields", {}), "response.fields")

    def consensus(
        self, params: dict[str, Any], responses: list[dict[str, Any]], weights: list[float]
    ) -> tuple[dict[str, Any], float]:
        """Preference: skill-weighted majority on `chosen`; with full rankings, Bradley-Terry
        over the pairwise wins they imply. Other fields come from the most skilled annotator
        among those who chose the winner."""
        from labelworks.quality.preference import aggregate_preference, rank_preferences

        winner, confidence = aggregate_preference([r["chosen"] for r in responses], weights)
        out: dict[str, Any] = {"chosen": winner}
        if all(r.get("ranking") for r in responses):
            ids = [resp["id"] for resp in params["responses"]]
            pairs = [
                (r["ranking"][i], r["ranking"][j])
                for r in responses
                for i in range(len(r["ranking"]))
                for j in range(i + 1, len(r["ranking"]))
            ]
            ranking = rank_preferences(ids, pairs)
            out["ranking"] = sorted(ids, key=lambda x: ranking.ranks[x])
            out["chosen"] = out["ranking"][0]
        backers = [i for i, r in enumerate(responses) if r["chosen"] == out["chosen"]] or [0]
        best = max(backers, key=lambda i: weights[i])
        out["fields"] = responses[best].get("fields", {})
        return out, confidence

    def score(
        self, params: dict[str, Any], response: dict[str, Any], expected: dict[str, Any]
    ) -> float | None:
        return 1.0 if response.get("chosen") == expected.get("chosen") else 0.0

    def categorical_label(self, response: dict[str, Any]) -> str | None:
        value = response.get("chosen")
        return value if isinstance(value, str) else None

    # --- exports -------------------------------------------------------------------------

    def dpo_pairs(self, record: Record) -> list[dict[str, str]]:
        """Preference pairs: the chosen response against each other response (so a ranking's
        top against the rest), one pair each. The prompt is the text attachments (if any) and
        then `prompt`, joined by a blank line. A tie gives no pair."""
        chosen = (record.response or {}).get("chosen")
        by_id = {r["id"]: r for r in record.params["responses"]}
        if chosen not in by_id:
            return []
        prompt = "\n\n".join(
            p for p in (attachments_text(record.params), record.params["prompt"]) if p
        )
        return [
            {
                "prompt": prompt,
                "chosen": by_id[chosen]["content"],
                "rejected": other["content"],
                "chosen_id": str(chosen),
                "rejected_id": other["id"],
            }
            for other in record.params["responses"]
            if other["id"] != chosen
        ]

    def hf_fields(self) -> list[tuple[str, Any]]:
        import pyarrow as pa

        reply = pa.struct([("id", pa.string()), ("content", pa.string()), ("model", pa.string())])
        answer = pa.struct([("field_id", pa.string()), ("value", pa.string())])
        return [
            ("prompt", pa.string()),
            ("responses", pa.list_(reply)),
            ("chosen", pa.string()),
            ("ranking", pa.list_(pa.string())),
            ("answers", pa.list_(answer)),
        ]

    def hf_row(self, record: Record) -> dict[str, Any]:
        response = record.response or {}
        return {
            "prompt": record.params["prompt"],
            "responses": [{"model": None, **r} for r in record.params["responses"]],
            "chosen": response.get("chosen"),
            "ranking": response.get("ranking"),
            "answers": answer_rows(response),
        }


def _check_ranking(ranking: list[str], ids: list[str], chosen: str) -> None:
    """A ranking orders every response once, best first, so it starts with the chosen one."""
    if sorted(ranking) != sorted(ids):
        raise InvalidRequest(f"must list each response id exactly once: {ids}", "response.ranking")
    if chosen != TIE and ranking[0] != chosen:
        raise InvalidRequest(
            f"must start with the chosen response {chosen!r}", "response.ranking.0"
        )
