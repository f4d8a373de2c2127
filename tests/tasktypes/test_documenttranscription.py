"""documenttranscription: page regions with label, text, refs and reading order."""

from __future__ import annotations

import uuid

import pytest

from labelworks.tasktypes import get_task_type
from tests.tasktypes._helpers import params_error, respond, response_error

PARAMS = {
    "attachments": ["https://e.com/p1.png", "https://e.com/p2.png"],
    "attachment_type": "image",
    "features": [
        {"label": "total", "type": "box", "required": True, "multiple": False},
        {"label": "item", "description": "A line item"},
    ],
}
KIND = get_task_type("documenttranscription")


def region(label="total", text="12.00", left=100, page=0, **kw):
    return {
        "label": label,
        "text": text,
        "page": page,
        "location": {"type": "box", "left": left, "top": 10, "width": 50, "height": 20},
        **kw,
    }


def test_regions_get_uuids_and_list_order_is_reading_order():
    out = respond(
        "documenttranscription",
        PARAMS,
        {"annotations": [region(), region("item", "Tea", 0), region("item", "Cake", 0, page=1)]},
    )
    for r in out["annotations"]:
        uuid.UUID(r["uuid"])
    assert [(r["page"], r["reading_order"]) for r in out["annotations"]] == [(0, 0), (0, 1), (1, 0)]


def test_explicit_reading_order_and_refs_are_kept():
    first = region("item", "Tea", 0, uuid="a", reading_order=1)
    second = region(uuid="b", reading_order=0, refs=["a"])
    out = respond("documenttranscription", PARAMS, {"annotations": [first, second]})
    assert [r["reading_order"] for r in out["annotations"]] == [1, 0]
    assert out["annotations"][1]["refs"] == ["a"]


def test_polygon_regions_and_hypothesis():
    poly = {
        **region("item"),
        "location": {
            "type": "polygon",
            "vertices": [{"x": 0, "y": 0}, {"x": 9, "y": 0}, {"x": 0, "y": 9}],
        },
    }
    stored = KIND.validate_params({**PARAMS, "hypothesis": {"annotations": [poly]}})
    assert stored["hypothesis"]["annotations"][0]["reading_order"] == 0
    assert KIND.validate_params(stored) == stored
    assert KIND.validate_params({"attachment": "https://e.com/a.pdf"})["attachment"]


@pytest.mark.parametrize(
    ("response", "error"),
    [
        ({"annotations": [region("item")]}, "response.annotations: a 'total' region is required"),
        (
            {"annotations": [region(), region(left=0)]},
            "response.annotations.1: only one 'total' region is allowed",
        ),
        (
            {"annotations": [region("date")]},
            "response.annotations.0.label: 'date' is not one of the features ['item', 'total']",
        ),
        (
            {
                "annotations": [
                    {
                        **region(),
                        "location": {"type": "polygon", "vertices": [{"x": 0, "y": 0}] * 3},
                    }
                ]
            },
            "response.annotations.0.location.type: 'total' regions are drawn as a box, not a polygon",
        ),
        (
            {"annotations": [region(refs=["nope"])]},
            "response.annotations.0.refs.0: is not the uuid of a region",
        ),
        (
            {"annotations": [region(reading_order=0), region("item", left=0)]},
            "response.annotations.1.reading_order: is required when other regions have one",
        ),
        (
            {"annotations": [region(reading_order=0), region("item", left=0, reading_order=0)]},
            "response.annotations.1.reading_order: duplicate reading_order on page 0",
        ),
        (
            {"annotations": [region(uuid="x"), region("item", uuid="x")]},
            "response.annotations.1.uuid: duplicate uuid",
        ),
        (
            {"annotations": [region(text=5)]},
            "response.annotations.0.text: Input should be a valid string",
        ),
        (
            {"annotations": [{**region(), "location": {"type": "circle"}}]},
            "response.annotations.0.location.type: Input tag 'circle' found using 'type' does not "
            "match any of the expected tags: 'box', 'polygon'",
        ),
        (
            {"annotations": [region(page=2)]},
            "response.annotations.0.page: the task has 2 pages",
        ),
        (
            {"annotations": [region(page=-1)]},
            "response.annotations.0.page: Input should be greater than or equal to 0",
        ),
    ],
)
def test_bad_responses_name_the_field(response, error):
    assert response_error("documenttranscription", PARAMS, response).error == error


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"features": []}, "attachment"),
        ({**PARAMS, "features": [{"label": "a"}, {"label": "a"}]}, "features"),
        ({**PARAMS, "features": [{"label": "a", "type": "ellipse"}]}, "features.0.type"),
        ({**PARAMS, "attachment_type": "video"}, "attachment_type"),
    ],
)
def test_bad_params_name_the_field(params, field):
    assert params_error("documenttranscription", params).field == field


def test_consensus_votes_text_and_keeps_reading_order():
    p = KIND.validate_params(PARAMS)
    answers = [
        KIND.validate_response(
            p, {"annotations": [region("item", t, 0), region(text=total, left=100 + dx)]}
        )
        for t, total, dx in (("Tea", "12.00", 0), ("Tea", "12.0O", 2), ("Tae", "12.00", 1))
    ]
    answer, confidence = KIND.consensus(p, answers, [1.0, 1.0, 1.0])
    assert [(r["label"], r["text"], r["reading_order"]) for r in answer["annotations"]] == [
        ("item", "Tea", 0),
        ("total", "12.00", 1),
    ]
    assert answer["annotations"][1]["location"]["left"] == pytest.approx(101)
    assert 0 < confidence <= 1
    assert KIND.validate_response(p, answer)  # the answer is itself a valid response
    assert KIND.score(p, answers[0], answer) == 1.0
    assert KIND.score(p, answers[1], answer) == 0.5  # the total's text is wrong


def test_placeholder_response_is_valid():
    p = KIND.validate_params(PARAMS)
    out = KIND.validate_response(p, KIND.placeholder_response(p))
    assert [r["label"] for r in out["annotations"]] == ["total"]
