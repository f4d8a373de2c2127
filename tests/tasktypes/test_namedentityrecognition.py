from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelworks.errors import InvalidRequest
from labelworks.tasktypes import get_task_type
from tests.tasktypes._helpers import params_error, respond, response_error

TEXT = "Ada Lovelace met Charles Babbage in London."
LABELS = [
    {"name": "PER", "description": "A person", "children": [{"name": "SCIENTIST"}]},
    {"name": "LOC"},
]
PARAMS = {"text": TEXT, "labels": LABELS}


def test_round_trip_fills_text_and_sorts_by_offsets():
    out = respond(
        "namedentityrecognition",
        PARAMS,
        {
            "annotations": [
                {"start": 36, "end": 42, "label": "LOC"},
                {"start": 17, "end": 32, "label": "SCIENTIST", "text": "Charles Babbage"},
                {"start": 0, "end": 12, "label": "PER"},
            ]
        },
    )
    assert out == {
        "annotations": [
            {"start": 0, "end": 12, "label": "PER", "text": "Ada Lovelace"},
            {"start": 17, "end": 32, "label": "SCIENTIST", "text": "Charles Babbage"},
            {"start": 36, "end": 42, "label": "LOC", "text": "London"},
        ]
    }


def test_overlaps_are_accepted_when_allowed():
    params = {**PARAMS, "allow_overlapping": True}
    out = respond(
        "namedentityrecognition",
        params,
        {
            "annotations": [
                {"start": 4, "end": 12, "label": "LOC"},
                {"start": 0, "end": 12, "label": "PER"},
            ]
        },
    )
    assert [a["start"] for a in out["annotations"]] == [0, 4]


def test_empty_response_is_valid():
    assert respond("namedentityrecognition", PARAMS, {"annotations": []}) == {"annotations": []}


@pytest.mark.parametrize(
    ("params", "path", "reason"),
    [
        ({"labels": LABELS}, "text", "Field required"),
        ({**PARAMS, "text": ""}, "text", "at least 1 character"),
        ({**PARAMS, "labels": []}, "labels", "must not be empty"),
        ({**PARAMS, "labels": [{"name": ""}]}, "labels.0.name", "must not be blank"),
        ({**PARAMS, "labels": [{"name": "A", "colour": "red"}]}, "labels.0.colour", "Extra inputs"),
        (
            {**PARAMS, "labels": [{"name": "A", "children": [{"name": "B"}]}, {"name": "B"}]},
            "labels",
            "duplicate label name 'B'",
        ),
        ({**PARAMS, "allow_overlapping": 1}, "allow_overlapping", "valid boolean"),
    ],
)
def test_bad_params_name_the_field(params, path, reason):
    error = params_error("namedentityrecognition", params)
    assert error.field == path and reason in error.message


def _one(span):
    return {"annotations": [span]}


@pytest.mark.parametrize(
    ("response", "path", "reason"),
    [
        ({}, "response.annotations", "Field required"),
        (
            _one({"start": -1, "end": 3, "label": "PER"}),
            "response.annotations.0.start",
            "greater than or equal to 0",
        ),
        (
            _one({"start": 3, "end": 3, "label": "PER"}),
            "response.annotations.0.end",
            "greater than start (3)",
        ),
        (
            _one({"start": 0, "end": 99, "label": "PER"}),
            "response.annotations.0.end",
            f"at most the text length ({len(TEXT)})",
        ),
        (
            _one({"start": 0, "end": 3, "label": "ORG"}),
            "response.annotations.0.label",
            "'ORG' is not one of the labels",
        ),
        (
            _one({"start": 0, "end": 3, "label": "PER", "text": "Bob"}),
            "response.annotations.0.text",
            "does not match the task text at [0, 3): 'Ada'",
        ),
        (
            _one({"start": 0.0, "end": 3, "label": "PER"}),
            "response.annotations.0.start",
            "valid integer",
        ),
        (
            {
                "annotations": [
                    {"start": 0, "end": 12, "label": "PER"},
                    {"start": 4, "end": 15, "label": "LOC"},
                ]
            },
            "response.annotations.1",
            "overlaps annotation 0",
        ),
        (
            {
                "annotations": [
                    {"start": 0, "end": 3, "label": "PER"},
                    {"start": 0, "end": 3, "label": "PER"},
                ]
            },
            "response.annotations.1",
            "duplicates another annotation",
        ),
    ],
)
def test_bad_responses_name_the_field(response, path, reason):
    error = response_error("namedentityrecognition", PARAMS, response)
    assert error.field == path and reason in error.message


def test_overlap_with_an_earlier_long_span_is_found():
    # The third span overlaps the first, not its immediate predecessor.
    error = response_error(
        "namedentityrecognition",
        PARAMS,
        {
            "annotations": [
                {"start": 0, "end": 30, "label": "PER"},
                {"start": 31, "end": 35, "label": "LOC"},
                {"start": 10, "end": 12, "label": "LOC"},
            ]
        },
    )
    assert error.field == "response.annotations.2"


STORED = get_task_type("namedentityrecognition").validate_params(PARAMS)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, len(TEXT)), min_size=0, max_size=12, unique=True))
def test_any_disjoint_spans_validate(cuts):
    bounds = sorted(cuts)
    spans = [
        {"start": a, "end": b, "label": "LOC"}
        for a, b in zip(bounds[::2], bounds[1::2], strict=False)
    ]
    out = get_task_type("namedentityrecognition").validate_response(
        STORED, {"annotations": list(reversed(spans))}
    )
    assert [(s["start"], s["end"]) for s in out["annotations"]] == [
        (s["start"], s["end"]) for s in spans
    ]
    assert all(s["text"] == TEXT[s["start"] : s["end"]] for s in out["annotations"])


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(TEXT) - 1), st.data())
def test_any_span_past_the_text_is_rejected(start, data):
    end = data.draw(st.integers(len(TEXT) + 1, len(TEXT) + 100))
    with pytest.raises(InvalidRequest) as caught:
        get_task_type("namedentityrecognition").validate_response(
            STORED, _one({"start": start, "end": end, "label": "PER"})
        )
    assert caught.value.field == "response.annotations.0.end"
