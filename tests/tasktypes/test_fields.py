"""Form fields shared by textcollection, transcription and comparison, exercised through
textcollection."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelworks.errors import InvalidRequest
from labelworks.tasktypes import get_task_type
from tests.tasktypes._helpers import params_error, respond, response_error

FIELDS = [
    {
        "type": "text",
        "field_id": "answer",
        "title": "Answer",
        "min_characters": 2,
        "max_characters": 20,
    },
    {
        "type": "number",
        "field_id": "confidence",
        "title": "Confidence",
        "min": 0,
        "max": 1,
        "required": False,
    },
    {
        "type": "category",
        "field_id": "tone",
        "title": "Tone",
        "choices": ["formal", {"label": "Casual", "value": "casual"}],
    },
    {
        "type": "category",
        "field_id": "topics",
        "title": "Topics",
        "allow_multiple": True,
        "required": False,
        "choices": ["dns", "http", "tls"],
    },
]
PARAMS = {"attachments": [{"type": "text", "content": "Explain DNS"}], "fields": FIELDS}


def test_string_choices_become_label_value_pairs():
    stored = get_task_type("textcollection").validate_params(PARAMS)
    assert stored["fields"][2]["choices"] == [
        {"label": "formal", "value": "formal"},
        {"label": "Casual", "value": "casual"},
    ]
    assert stored["fields"][0]["required"] is True


def test_answers_come_back_in_field_order_without_skipped_optionals():
    out = respond(
        "textcollection",
        PARAMS,
        {
            "fields": {
                "tone": "casual",
                "confidence": None,
                "answer": "It maps names",
                "topics": ["dns", "tls"],
            }
        },
    )
    assert list(out["fields"].items()) == [
        ("answer", "It maps names"),
        ("tone", "casual"),
        ("topics", ["dns", "tls"]),
    ]


def _field(**changes):
    return {**PARAMS, "fields": [{**FIELDS[0], **changes}]}


@pytest.mark.parametrize(
    ("params", "path", "reason"),
    [
        ({"attachments": []}, "fields", "Field required"),
        ({**PARAMS, "fields": []}, "fields", "must not be empty"),
        (
            {**PARAMS, "attachments": [{"type": "midi", "content": "x"}]},
            "attachments.0.type",
            "Input should be",
        ),
        (
            {**PARAMS, "attachments": [{"type": "text", "content": ""}]},
            "attachments.0.content",
            "at least 1 character",
        ),
        (_field(type="essay"), "fields.0.type", "does not match any of the expected tags"),
        (_field(field_id="my answer"), "fields.0.field_id", "must not contain whitespace"),
        (_field(field_id=""), "fields.0.field_id", "must not be blank"),
        (_field(title=None), "fields.0.title", "valid string"),
        (_field(min_characters=-1), "fields.0.min_characters", "greater than or equal to 0"),
        (
            _field(min_characters=10, max_characters=5),
            "fields.0.max_characters",
            "at least min_characters (10)",
        ),
        (_field(required="no"), "fields.0.required", "valid boolean"),
        ({**PARAMS, "fields": [FIELDS[0], FIELDS[0]]}, "fields", "duplicate field_id 'answer'"),
        ({**PARAMS, "fields": [{**FIELDS[1], "min": 2, "max": 1}]}, "fields.0.max", "at least min"),
        (
            {**PARAMS, "fields": [{**FIELDS[2], "choices": []}]},
            "fields.0.choices",
            "must not be empty",
        ),
        (
            {**PARAMS, "fields": [{**FIELDS[2], "choices": ["a", "a"]}]},
            "fields.0.choices",
            "duplicate choice value 'a'",
        ),
        (
            {**PARAMS, "fields": [{**FIELDS[2], "choices": [{"label": "A"}]}]},
            "fields.0.choices.0.value",
            "Field required",
        ),
    ],
)
def test_bad_params_name_the_field(params, path, reason):
    error = params_error("textcollection", params)
    assert error.field == path and reason in error.message


GOOD = {"answer": "It maps names", "tone": "formal"}


@pytest.mark.parametrize(
    ("answers", "path", "reason"),
    [
        ({"tone": "formal"}, "response.fields.answer", "is required"),
        ({**GOOD, "answer": ""}, "response.fields.answer", "is required"),
        ({**GOOD, "answer": "x"}, "response.fields.answer", "at least 2 characters"),
        ({**GOOD, "answer": "x" * 21}, "response.fields.answer", "at most 20 characters"),
        ({**GOOD, "answer": 42}, "response.fields.answer", "must be a string"),
        ({**GOOD, "colour": "red"}, "response.fields.colour", "unknown field"),
        ({**GOOD, "confidence": 1.5}, "response.fields.confidence", "at most 1"),
        ({**GOOD, "confidence": "0.5"}, "response.fields.confidence", "finite number"),
        ({**GOOD, "confidence": True}, "response.fields.confidence", "finite number"),
        ({**GOOD, "tone": "angry"}, "response.fields.tone", "'angry' is not one of the choices"),
        ({**GOOD, "tone": "Casual"}, "response.fields.tone", "not one of the choices"),
        ({**GOOD, "topics": "dns"}, "response.fields.topics", "non-empty list"),
        ({**GOOD, "topics": ["dns", "ftp"]}, "response.fields.topics.1", "'ftp' is not one of"),
        ({**GOOD, "topics": ["dns", "dns"]}, "response.fields.topics", "duplicate choice 'dns'"),
    ],
)
def test_bad_answers_name_the_field(answers, path, reason):
    error = response_error("textcollection", PARAMS, {"fields": answers})
    assert error.field == path and reason in error.message


def test_fields_must_be_an_object():
    error = response_error("textcollection", PARAMS, {"fields": ["It maps names"]})
    assert error.field == "response.fields"


BOUNDED = get_task_type("textcollection").validate_params(_field())


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_text_is_accepted_exactly_when_within_bounds(answer):
    kind = get_task_type("textcollection")
    if 2 <= len(answer) <= 20:
        assert kind.validate_response(BOUNDED, {"fields": {"answer": answer}}) == {
            "fields": {"answer": answer}
        }
    else:
        with pytest.raises(InvalidRequest) as caught:
            kind.validate_response(BOUNDED, {"fields": {"answer": answer}})
        assert caught.value.field == "response.fields.answer"
