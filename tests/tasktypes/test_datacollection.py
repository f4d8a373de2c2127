"""datacollection: Scale's free-form fields, some of them files."""

from __future__ import annotations

import pytest

from labelworks.tasktypes import get_task_type
from tests.tasktypes._helpers import params_error, respond, response_error

PARAMS = {
    "attachment": "https://example.com/",
    "attachment_type": "website",
    "fields": {
        "title": "Title of the page",
        "visitors": {"type": "number", "description": "Monthly visitors"},
        "homepage": {"type": "url", "required": False},
        "screenshot": {"type": "file"},
        "extras": {"type": "file", "multiple": True, "required": False},
    },
}
KIND = get_task_type("datacollection")
SHOT = "https://example.com/files/shot.png"
GOOD = {"title": "Example", "visitors": 10, "screenshot": SHOT}


def test_descriptions_expand_and_files_normalise():
    stored = KIND.validate_params(PARAMS)
    assert stored["fields"]["title"] == {
        "description": "Title of the page",
        "type": "text",
        "required": True,
        "multiple": False,
    }
    assert KIND.validate_params(stored) == stored
    out = respond(
        "datacollection",
        PARAMS,
        {
            "fields": {
                **GOOD,
                "extras": [SHOT, {"url": SHOT, "name": "b.png", "content_type": "image/png"}],
            }
        },
    )
    assert out["fields"]["screenshot"] == {"url": SHOT}
    assert out["fields"]["extras"][1]["name"] == "b.png"


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({**GOOD, "title": ""}, "response.fields.title: is required"),
        ({**GOOD, "visitors": "10"}, "response.fields.visitors: must be a finite number"),
        ({**GOOD, "homepage": "example.com"}, "response.fields.homepage: must be an http(s) URL"),
        ({**GOOD, "screenshot": {"href": SHOT}}, "response.fields.screenshot.url: Field required"),
        ({**GOOD, "extras": SHOT}, "response.fields.extras: must be a list of files"),
        (
            {**GOOD, "extras": [SHOT, {"url": ""}]},
            "response.fields.extras.1.url: must not be blank",
        ),
        (
            {**GOOD, "colour": "red"},
            "response.fields.colour: unknown field; expected one of "
            "['extras', 'homepage', 'screenshot', 'title', 'visitors']",
        ),
    ],
)
def test_bad_answers_name_the_field(fields, error):
    assert response_error("datacollection", PARAMS, {"fields": fields}).error == error


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"attachment": "x", "fields": {}}, "fields"),
        ({"attachment": "x", "fields": {"a b": "x"}}, "fields"),
        ({"attachment": "x", "fields": {"a": {"type": "date"}}}, "fields.a.type"),
        ({"attachment": "x", "fields": {"a": {"required": "no"}}}, "fields.a.required"),
        ({**PARAMS, "attachment_type": "book"}, "attachment_type"),
    ],
)
def test_bad_params_name_the_field(params, field):
    assert params_error("datacollection", params).field == field


def test_consensus_votes_each_field_and_scores_against_gold():
    p = KIND.validate_params(PARAMS)
    answers = [
        KIND.validate_response(p, {"fields": f})
        for f in (GOOD, {**GOOD, "title": "example "}, {**GOOD, "title": "Other", "visitors": 11})
    ]
    answer, confidence = KIND.consensus(p, answers, [1.0, 1.0, 1.0])
    assert answer == {"fields": {"title": "Example", "visitors": 10, "screenshot": {"url": SHOT}}}
    assert confidence == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)
    assert KIND.score(p, answers[2], answer) == pytest.approx(1 / 3)


def test_placeholder_response_is_valid():
    p = KIND.validate_params(PARAMS)
    assert KIND.validate_response(p, KIND.placeholder_response(p))["fields"]["visitors"] == 0
