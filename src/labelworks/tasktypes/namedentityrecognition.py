"""namedentityrecognition: mark character spans of a text with labels from a (nested) label tree."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from labelworks.errors import InvalidRequest
from labelworks.tasktypes.base import (
    Count,
    Flag,
    Name,
    Record,
    StrictModel,
    TaskType,
    Text,
    first_duplicate,
    non_empty,
)


class EntityLabel(StrictModel):
    name: Name
    display_name: str | None = None  # Scale's label caption; shown, not matched
    description: str | None = None
    children: list[EntityLabel] | None = None


def label_names(labels: list[EntityLabel] | list[dict[str, Any]]) -> Iterator[str]:
    """Every name in the label tree, parents before their children."""
    for label in labels:
        if isinstance(label, EntityLabel):
            name, children = label.name, label.children
        else:  # stored params are plain JSON
            name, children = label["name"], label.get("children")
        yield name
        yield from label_names(children or [])


def _unique_names(labels: list[EntityLabel]) -> list[EntityLabel]:
    # A span stores only the label name, so a name used twice in the tree would be ambiguous.
    first_duplicate(label_names(labels), "label name")
    return labels


class NERParams(StrictModel):
    text: Text
    labels: Annotated[list[EntityLabel], AfterValidator(non_empty), AfterValidator(_unique_names)]
    allow_overlapping: Flag = False


class Span(StrictModel):
    """Characters `text[start:end]` (end exclusive), as Python and JavaScript slice strings."""

    start: Count
    end: Annotated[int, Field(strict=True, ge=1)]
    label: Name
    text: str | None = None

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: int, info: ValidationInfo) -> int:
        start = info.data.get("start")
        if start is not None and end <= start:
            raise ValueError(f"must be greater than start ({start})")
        return end


class NERResponse(StrictModel):
    annotations: list[Span]


class NamedEntityRecognition(TaskType):
    """Params `{text, labels, allow_overlapping}`; response
    `{"annotations": [{"start", "end", "label", "text"}]}`, sorted by (start, end)."""

    name = "namedentityrecognition"
    params_model = NERParams
    response_model = NERResponse
    export_formats = ("jsonl", "hf", "conll", "label-studio")
    # Documented by Scale, kept but not acted on.
    scale_params = ("relationships", "attachments")

    def placeholder_response(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"annotations": []}

    def check_response(self, params: dict[str, Any], response: dict[str, Any]) -> None:
        text: str = params["text"]
        names = set(label_names(params["labels"]))
        spans = response["annotations"]
        for i, span in enumerate(spans):
            path = f"response.annotations.{i}"
            if span["end"] > len(text):
                raise InvalidRequest(
                    f"must be at most the text length ({len(text)})", f"{path}.end"
                )
            if span["label"] not in names:
                raise InvalidRequest(
                    f"{span['label']!r} is not one of the labels {sorted(names)}", f"{path}.label"
                )
            covered = text[span["start"] : span["end"]]
            if span.setdefault("text", covered) != covered:
                raise InvalidRequest(
                    f"does not match the task text at [{span['start']}, "
                    f"{span['end']}): {covered!r}",
                    f"{path}.text",
                )
        order = sorted(range(len(spans)), key=lambda i: (spans[i]["start"], spans[i]["end"]))
        _check_overlaps(spans, order, params.get("allow_overlapping", False))
        response["annotations"] = [spans[i] for i in order]

    def consensus(
        self, params: dict[str, Any], responses: list[dict[str, Any]], weights: list[float]
    ) -> tuple[dict[str, Any], float]:
        """Span consensus: skill-weighted vote over exact (start, end, label) spans."""
        from labelworks.quality.spans import fuse_spans, span_agreement

        per_worker = [r.get("annotations", []) for r in responses]
        text = params["text"]
        spans = [
            {
                "start": s["start"],
                "end": s["end"],
                "label": s["label"],
                "text": text[s["start"] : s["end"]],
            }
            for s in fuse_spans(per_worker, weights)
        ]
        return {"annotations": spans}, float(span_agreement(per_worker))

    def score(
        self, params: dict[str, Any], response: dict[str, Any], expected: dict[str, Any]
    ) -> float | None:
        from labelworks.quality.spans import span_f1

        return float(span_f1(response.get("annotations", []), expected.get("annotations", [])))

    # --- exports and imports -------------------------------------------------------------

    def bio_tokens(self, record: Record) -> list[tuple[str, str]]:
        """(token, BIO tag) per whitespace-separated token. A token takes the label of the first
        span (by start, longest first) it overlaps: `B-` on the span's first token, `I-` after.
        Nested or overlapping spans cannot be expressed in BIO; the outer one wins."""
        spans = sorted(
            (record.response or {}).get("annotations", []), key=lambda s: (s["start"], -s["end"])
        )
        out, i = [], 0
        previous: dict[str, Any] | None = None
        for match in _TOKEN.finditer(record.params["text"]):
            start, end = match.span()
            while i < len(spans) and spans[i]["end"] <= start:
                i += 1
            span = None
            for candidate in spans[i:]:
                if candidate["start"] >= end:
                    break
                if candidate["end"] > start:
                    span = candidate
                    break
            if span is None:
                tag = "O"
            else:
                tag = ("I-" if span is previous else "B-") + span["label"]
            previous = span
            out.append((match.group(), tag))
        return out

    def hf_fields(self) -> list[tuple[str, Any]]:
        import pyarrow as pa

        entity = pa.struct(
            [
                ("start", pa.int32()),
                ("end", pa.int32()),
                ("label", pa.string()),
                ("text", pa.string()),
            ]
        )
        return [("text", pa.string()), ("entities", pa.list_(entity))]

    def hf_row(self, record: Record) -> dict[str, Any]:
        spans = (record.response or {}).get("annotations", [])
        return {
            "text": record.params["text"],
            "entities": [{k: s[k] for k in ("start", "end", "label", "text")} for s in spans],
        }

    def label_studio_task(self, record: Record) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        spans = (record.response or {}).get("annotations", [])
        return {"text": record.params["text"]}, [
            {
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {
                    "start": s["start"],
                    "end": s["end"],
                    "text": s["text"],
                    "labels": [s["label"]],
                },
            }
            for s in spans
        ]

    def from_label_studio(
        self, data: dict[str, Any], results: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """`data.text` is the text; spans (Labels) are not imported: no pre-label field."""
        if not isinstance(data.get("text"), str):
            raise InvalidRequest("is required", "data.text")
        return {"text": data["text"]}


_TOKEN = re.compile(r"\S+")


def _check_overlaps(spans: list[dict[str, Any]], order: list[int], allowed: bool) -> None:
    """Compare each span with the furthest-reaching span that starts before it."""
    reach = -1  # index of the span ending furthest to the right so far
    seen: set[tuple[int, int, str]] = set()
    for i in order:
        span = spans[i]
        key = (span["start"], span["end"], span["label"])
        if key in seen:
            raise InvalidRequest("duplicates another annotation", f"response.annotations.{i}")
        seen.add(key)
        if not allowed and reach >= 0 and span["start"] < spans[reach]["end"]:
            raise InvalidRequest(
                f"overlaps annotation {reach} (allow_overlapping is false)",
                f"response.annotations.{i}",
            )
        if reach < 0 or span["end"] > spans[reach]["end"]:
            reach = i
