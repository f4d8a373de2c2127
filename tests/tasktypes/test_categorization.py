from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tasktypes._helpers import params_error, respond, response_error

PARAMS = {"attachment": "https://e.com/a.png", "categories": ["red", "green", "blue"]}
MULTI = {**PARAMS, "allow_multiple": True}


def test_single_category_round_trip():
    assert respond("categorization", PARAMS, {"category": "red"}) == {"category": "red"}


def test_params_are_normalised_with_defaults():
    from labelworks.tasktypes import get_task_type

    stored = get_task_type("categorization").validate_params(PARAMS)
    assert stored == {**PARAMS, "attachment_type": "image", "allow_multiple": False}


def test_multiple_categories_round_trip():
    assert respond("categorization", MULTI, {"category": ["blue", "red"]}) == {
        "category": ["blue", "red"]
    }


@pytest.mark.parametrize(
    ("params", "path", "reason"),
    [
        ({"categories": ["a"]}, "attachment", "Field required"),
        ({**PARAMS, "attachment": ""}, "attachment", "must not be blank"),
        ({**PARAMS, "attachment": 5}, "attachment", "valid string"),
        ({**PARAMS, "attachment_type": "audio"}, "attachment_type", "Input should be"),
        ({**PARAMS, "categories": []}, "categories", "must not be empty"),
        ({**PARAMS, "categories": ["a", ""]}, "categories.1", "must not be blank"),
        ({**PARAMS, "categories": ["a", "b", "a"]}, "categories", "duplicate value 'a'"),
        ({**PARAMS, "categories": "red"}, "categories", "valid list"),
        ({**PARAMS, "allow_multiple": "yes"}, "allow_multiple", "valid boolean"),
    ],
)
def test_bad_params_name_the_field(params, path, reason):
    error = params_error("categorization", params)
    assert error.field == path and reason in error.message


@pytest.mark.parametrize(
    ("params", "response", "path", "reason"),
    [
        (PARAMS, {}, "response.category", "Field required"),
        (PARAMS, {"category": "purple"}, "response.category", "'purple' is not one of"),
        (PARAMS, {"category": 3}, "response.category", "must be a category name"),
        (PARAMS, {"category": ["red"]}, "response.category", "allow_multiple is false"),
        (PARAMS, {"category": "red", "extra": 1}, "response.extra", "Extra inputs"),
        (MULTI, {"category": "red"}, "response.category", "allow_multiple is true"),
        (MULTI, {"category": []}, "response.category", "non-empty list"),
        (MULTI, {"category": ["red", "pink"]}, "response.category.1", "'pink' is not one of"),
        (MULTI, {"category": ["red", "red"]}, "response.category", "duplicate category 'red'"),
    ],
)
def test_bad_responses_name_the_field(params, response, path, reason):
    error = response_error("categorization", params, response)
    assert error.field == path and reason in error.message


# Prefixed so that no generated name is blank (blank names are rejected on their own).
categories = st.lists(
    st.text(max_size=8).map(lambda s: "c" + s), min_size=1, max_size=6, unique=True
)


@settings(max_examples=50, deadline=None)
@given(categories, st.data())
def test_any_listed_category_is_accepted_and_any_other_rejected(cats, data):
    params = {"attachment": "x", "categories": cats}
    pick = data.draw(st.sampled_from(cats))
    assert respond("categorization", params, {"category": pick}) == {"category": pick}
    other = data.draw(st.text(max_size=9).filter(lambda s: s not in cats))
    assert (
        response_error("categorization", params, {"category": other}).field == "response.category"
    )
