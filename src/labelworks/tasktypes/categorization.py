"""categorization: pick one (or, with allow_multiple, several) of a list of categories."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import AfterValidator

from labelworks.errors import InvalidRequest
from labelworks.tasktypes.base import (
    Flag,
    Name,
    Names,
    Record,
    StrictModel,
    TaskType,
    first_duplicate,
)

ATTACHMENT_TYPES = ("image", "text", "website", "pdf", "video")


class CategorizationParams(StrictModel):
    attachment: Name
    attachment_type: Literal["image", "text", "website", "pdf", "video"] = "image"
    categories: Names
    allow_multiple: Flag = False


def _category_value(value: Any) -> Any:
    # One field holds a name or a list of names; which one is allowed depends on the params, so
    # the shape is checked here and the choice in `check_response`.
    if isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(v, str) for v in value)
    ):
        return value
    raise ValueError("must be a category name or a list of category names")


class CategorizationResponse(StrictModel):
    category: Annotated[Any, AfterValidator(_category_value)]


class Categorization(TaskType):
    """Params `{attachment, attachment_type, categories, allow_multiple}`; response
    `{"category": "red"}`, or `{"category": ["red", "blue"]}` when allow_multiple."""

    name = "categorization"
    params_model = CategorizationParams
    response_model = CategorizationResponse
    # Documented by Scale (category_ids: deprecated), kept but not acted on.
    scale_params = ("category_ids", "layers", "taxonomies", "attachments")
    export_formats = ("jsonl", "hf", "csv", "label-studio")
    # `csv` export columns after task_id and unique_id; a list category is written as JSON.
    csv_columns = ("attachment", "attachment_type", "category")

    def placeholder_response(self, params: dict[str, Any]) -> dict[str, Any]:
        first = params["categories"][0]
        return {"category": [first] if params.get("allow_multiple") else first}

    def check_response(self, params: dict[str, Any], response: dict[str, Any]) -> None:
        category = response["category"]
        if not params.get("allow_multiple"):
            if not isinstance(category, str):
                raise InvalidRequest(
                    "must be one category (allow_multiple is false)", "response.category"
                )
            _check_known(params, category, "response.category")
            return
        if not isinstance(category, list) or not category:
            raise InvalidRequest(
                "must be a non-empty list of categories (allow_multiple is true)",
                "response.category",
            )
        for i, item in enumerate(category):
            _check_known(params, item, f"response.category.{i}")
        try:
            first_duplicate(category, "category")
        except ValueError as exc:
            raise InvalidRequest(str(exc), "response.category") from None

    def consensus(
        self, params: dict[str, Any], responses: list[dict[str, Any]], weights: list[float]
    ) -> tuple[dict[str, Any], float]:
        """Skill-weighted vote (skills from gold: one-coin Dawid-Skene with clamped gold);
        with allow_multiple, each category is kept when more than half the weight chose it."""
        from labelworks.quality.preference import aggregate_preference

        if not params.get("allow_multiple"):
            label, confidence = aggregate_preference([r["category"] for r in responses], weights)
            return {"category": label}, confidence
        total = sum(weights) or 1.0
        share = {
            c: sum(w for r, w in zip(responses, weights, strict=True) if c in r["category"]) / total
            for c in params["categories"]
        }
        chosen = [c for c in params["categories"] if share[c] > 0.5]
        if not chosen:
            chosen = [max(share, key=lambda c: share[c])]
        return {"category": chosen}, min(share[c] for c in chosen)

    def score(
        self, params: dict[str, Any], response: dict[str, Any], expected: dict[str, Any]
    ) -> float | None:
        got, want = response.get("category"), expected.get("category")
        if isinstance(want, list) or isinstance(got, list):
            a, b = set(got or []), set(want or [])
            return len(a & b) / len(a | b) if a | b else 1.0  # Jaccard for multi-label
        return 1.0 if got == want else 0.0

    def categorical_label(self, response: dict[str, Any]) -> str | None:
        value = response.get("category")
        return value if isinstance(value, str) else None

    # --- exports and imports -------------------------------------------------------------

    def csv_row(self, record: Record) -> list[Any]:
        category = (record.response or {}).get("category")
        return [
            record.params["attachment"],
            record.params.get("attachment_type", "image"),
            json.dumps(category) if isinstance(category, list) else category,
        ]

    def hf_fields(self) -> list[tuple[str, Any]]:
        import pyarrow as pa

        return [
            ("attachment", pa.string()),
            ("attachment_type", pa.string()),
            ("category", pa.string()),
            ("categories", pa.list_(pa.string())),
        ]

    def hf_row(self, record: Record) -> dict[str, Any]:
        """`category` holds a single answer; `categories` every chosen one (also when single)."""
        value = (record.response or {}).get("category")
        chosen = value if isinstance(value, list) else [value] if value is not None else []
        return {
            "attachment": record.params["attachment"],
            "attachment_type": record.params.get("attachment_type", "image"),
            "category": value if isinstance(value, str) else None,
            "categories": chosen,
        }

    def label_studio_task(self, record: Record) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Data keyed by the attachment type (`image`, `text`...); the answer as Choices."""
        key = record.params.get("attachment_type", "image")
        value = (record.response or {}).get("category")
        if value is None:
            return {key: record.params["attachment"]}, []
        choices = value if isinstance(value, list) else [value]
        return {key: record.params["attachment"]}, [
            {
                "from_name": "choice",
                "to_name": key,
                "type": "choices",
                "value": {"choices": choices},
            }
        ]

    def from_label_studio(
        self, data: dict[str, Any], results: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """The first of `data`'s keys naming an attachment type (`image`, `text`...) is the
        attachment; answers (Choices) are not imported: a task has no pre-label field."""
        for key in ATTACHMENT_TYPES:
            if isinstance(data.get(key), str):
                return {"attachment": data[key], "attachment_type": key}
        raise InvalidRequest(f"needs one of the keys {list(ATTACHMENT_TYPES)}", "data")


def _check_known(params: dict[str, Any], category: str, path: str) -> None:
    if category not in params["categories"]:
        raise InvalidRequest(
            f"{category!r} is not one of the categories {params['categories']}", path
        )
