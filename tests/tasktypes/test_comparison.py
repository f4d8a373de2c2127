from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelworks.errors import InvalidRequest
from labelworks.tasktypes import get_task_type
from tests.tasktypes._helpers import params_error, respond, response_error

RESPONSES = [
    {"id": "a", "content": "Paris.", "model": "m1"},
    {"id": "b", "content": "It is Paris, France."},
    {"id": "c", "content": "Lyon."},
]
LIKERT = {
    "type": "likert",
    "field_id": "strength",
    "title": "How much better?",
    "min_label": "slightly",
    "max_label": "much",
}
REASON = {"type": "text", "field_id": "reason", "title": "Why?", "required": False}
PARAMS = {
    "prompt": "What is the capital of France?",
    "responses": RESPONSES,
    "fields": [LIKERT, REASON],
}
RANKED = {**PARAMS, "ranking": True, "allow_tie": True}


def test_pairwise_round_trip_with_defaults():
    params = {"prompt": "Hi?", "responses": RESPONSES[:2]}
    stored = get_task_type("comparison").validate_params(params)
    assert stored["allow_tie"] is False and stored["ranking"] is False
    assert stored["fields"] == [] and stored["attachments"] == []
    assert respond("comparison", params, {"chosen": "b"}) == {"chosen": "b", "fields": {}}


def test_ranked_round_trip_with_fields():
    out = respond(
        "comparison",
        RANKED,
        {
            "chosen": "b",
            "ranking": ["b", "a", "c"],
            "fields": {"strength": 6, "reason": "more complete"},
        },
    )
    assert out == {
        "chosen": "b",
        "ranking": ["b", "a", "c"],
        "fields": {"strength": 6, "reason": "more complete"},
    }


def test_likert_scale_defaults_to_seven():
    stored = get_task_type("comparison").validate_params(PARAMS)
    assert stored["fields"][0]["scale"] == 7


def test_tie_is_accepted_when_allowed():
    out = respond(
        "comparison",
        RANKED,
        {"chosen": "tie", "ranking": ["a", "b", "c"], "fields": {"strength": 1}},
    )
    assert out["chosen"] == "tie"


@pytest.mark.parametrize(
    ("params", "path", "reason"),
    [
        ({"responses": RESPONSES}, "prompt", "Field required"),
        ({**PARAMS, "prompt": ""}, "prompt", "at least 1 character"),
        ({**PARAMS, "responses": RESPONSES[:1]}, "responses", "at least 2 responses"),
        (
            {**PARAMS, "responses": [RESPONSES[0], {**RESPONSES[1], "id": "a"}]},
            "responses",
            "duplicate response id 'a'",
        ),
        (
            {**PARAMS, "responses": [RESPONSES[0], {**RESPONSES[1], "id": "tie"}]},
            "responses",
            "reserved for a tie",
        ),
        (
            {**PARAMS, "responses": [RESPONSES[0], {**RESPONSES[1], "content": ""}]},
            "responses.1.content",
            "at least 1 character",
        ),
        (
            {**PARAMS, "fields": [{**LIKERT, "scale": 1}]},
            "fields.0.scale",
            "greater than or equal to 2",
        ),
        (
            {**PARAMS, "fields": [{**LIKERT, "scale": 11}]},
            "fields.0.scale",
            "less than or equal to 10",
        ),
        (
            {**PARAMS, "fields": [LIKERT, {**REASON, "field_id": "strength"}]},
            "fields",
            "duplicate field_id 'strength'",
        ),
        ({**PARAMS, "attachments": [{"type": "text"}]}, "attachments.0.content", "Field required"),
        ({**PARAMS, "ranking": "yes"}, "ranking", "valid boolean"),
    ],
)
def test_bad_params_name_the_field(params, path, reason):
    error = params_error("comparison", params)
    assert error.field == path and reason in error.message


@pytest.mark.parametrize(
    ("params", "response", "path", "reason"),
    [
        (PARAMS, {"fields": {"strength": 3}}, "response.chosen", "Field required"),
        (
            PARAMS,
            {"chosen": "z", "fields": {"strength": 3}},
            "response.chosen",
            "'z' is not one of the response ids",
        ),
        (
            PARAMS,
            {"chosen": "tie", "fields": {"strength": 3}},
            "response.chosen",
            "allow_tie is false",
        ),
        (PARAMS, {"chosen": "a"}, "response.fields.strength", "is required"),
        (
            PARAMS,
            {"chosen": "a", "fields": {"strength": 8}},
            "response.fields.strength",
            "at most 7",
        ),
        (
            PARAMS,
            {"chosen": "a", "fields": {"strength": 0}},
            "response.fields.strength",
            "at least 1",
        ),
        (
            PARAMS,
            {"chosen": "a", "fields": {"strength": 2.5}},
            "response.fields.strength",
            "integer from 1 to 7",
        ),
        (
            PARAMS,
            {"chosen": "a", "fields": {"strength": 3, "vibe": "ok"}},
            "response.fields.vibe",
            "unknown field",
        ),
        (
            RANKED,
            {"chosen": "a", "fields": {"strength": 3}},
            "response.ranking",
            "is required (ranking is true)",
        ),
        (
            RANKED,
            {"chosen": "a", "ranking": ["a", "b"], "fields": {"strength": 3}},
            "response.ranking",
            "each response id exactly once",
        ),
        (
            RANKED,
            {"chosen": "a", "ranking": ["a", "a", "b"], "fields": {"strength": 3}},
            "response.ranking",
            "each response id exactly once",
        ),
        (
            RANKED,
            {"chosen": "a", "ranking": ["b", "a", "c"], "fields": {"strength": 3}},
            "response.ranking.0",
            "must start with the chosen response 'a'",
        ),
        (
            PARAMS,
            {"chosen": "a", "ranking": ["a", "x", "c"], "fields": {"strength": 3}},
            "response.ranking",
            "each response id exactly once",
        ),
    ],
)
def test_bad_responses_name_the_field(params, response, path, reason):
    error = response_error("comparison", params, response)
    assert error.field == path and reason in error.message


STORED = get_task_type("comparison").validate_params(RANKED)
IDS = [r["id"] for r in RESPONSES]


@settings(max_examples=50, deadline=None)
@given(st.permutations(IDS), st.integers(1, 7))
def test_any_full_ranking_led_by_the_chosen_response_validates(ranking, strength):
    response = {"chosen": ranking[0], "ranking": ranking, "fields": {"strength": strength}}
    assert get_task_type("comparison").validate_response(STORED, response)["ranking"] == ranking


@settings(max_examples=50, deadline=None)
@given(st.text().filter(lambda s: s not in [*IDS, "tie"]))
def test_any_unknown_chosen_id_is_rejected(chosen):
    with pytest.raises(InvalidRequest) as caught:
        get_task_type("comparison").validate_response(
            STORED, {"chosen": chosen, "ranking": IDS, "fields": {"strength": 3}}
        )
    assert caught.value.field == "response.chosen"
