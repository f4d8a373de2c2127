from __future__ import annotations

import pytest

from labelworks.errors import InvalidRequest
from labelworks.tasktypes import SUPPORTED_TYPES, get_task_type
from labelworks.tasktypes.base import TaskType

ALL_TYPES = (
    "annotation",
    "categorization",
    "comparison",
    "datacollection",
    "documenttranscription",
    "imageannotation",
    "lineannotation",
    "namedentityrecognition",
    "pointannotation",
    "polygonannotation",
    "segmentannotation",
    "textcollection",
    "transcription",
)


def test_registry_holds_every_type():
    assert SUPPORTED_TYPES == ALL_TYPES
    for name in ALL_TYPES:
        kind = get_task_type(name)
        assert isinstance(kind, TaskType) and kind.name == name


def test_unknown_type_is_400_on_type_listing_supported_types():
    with pytest.raises(InvalidRequest) as caught:
        get_task_type("nope")
    assert caught.value.field == "type"
    assert caught.value.status_code == 400
    for name in ALL_TYPES:
        assert name in caught.value.message


@pytest.mark.parametrize("name", ALL_TYPES)
def test_response_must_be_an_object(name):
    with pytest.raises(InvalidRequest) as caught:
        get_task_type(name).validate_response({}, ["not", "an", "object"])
    assert caught.value.error == "response: must be an object"


IMG = {"attachment": "https://e.com/a.png", "objects_to_annotate": ["car"]}
MINIMAL_PARAMS = {
    "annotation": IMG,
    "polygonannotation": IMG,
    "lineannotation": IMG,
    "pointannotation": IMG,
    "segmentannotation": {"attachment": "https://e.com/a.png", "labels": ["road", "sky"]},
    "documenttranscription": {"attachment": "https://e.com/a.pdf"},
    "datacollection": {"attachment": "https://e.com", "fields": {"title": "Page title"}},
    "categorization": {"attachment": "https://e.com/a.png", "categories": ["a", "b"]},
    "comparison": {
        "prompt": "Hi?",
        "responses": [{"id": "a", "content": "Hello"}, {"id": "b", "content": "Yo"}],
    },
    "imageannotation": {
        "attachment": "https://e.com/a.png",
        "geometries": {"box": {"objects_to_annotate": ["car"]}},
    },
    "namedentityrecognition": {"text": "Ada Lovelace", "labels": [{"name": "PER"}]},
    "textcollection": {"fields": [{"type": "text", "field_id": "answer", "title": "Answer"}]},
    "transcription": {
        "attachments": [{"type": "image", "content": "https://e.com/a.png"}],
        "fields": [{"type": "text", "field_id": "text", "title": "Text"}],
    },
}


@pytest.mark.parametrize("name", ALL_TYPES)
def test_minimal_params_validate_and_are_idempotent(name):
    kind = get_task_type(name)
    stored = kind.validate_params(MINIMAL_PARAMS[name])
    # Stored params are validated again when a project default is merged under a new task.
    assert kind.validate_params(stored) == stored


@pytest.mark.parametrize("name", ALL_TYPES)
def test_unknown_top_level_param_is_dropped_and_named_in_a_warning(name):
    """Scale ignores unknown params; Labelworks does too, but names them so a typo shows."""
    kind = get_task_type(name)
    warnings: list[str] = []
    params = kind.validate_params({**MINIMAL_PARAMS[name], "colour": 1, "force": True}, warnings)
    assert warnings == ["unknown parameter 'colour' ignored"]
    assert "colour" not in params and params["force"] is True  # force: Scale-documented
    assert params == kind.validate_params({**MINIMAL_PARAMS[name], "force": True})


@pytest.mark.parametrize("name", ALL_TYPES)
def test_placeholder_response_is_a_valid_response(name):
    kind = get_task_type(name)
    params = kind.validate_params(MINIMAL_PARAMS[name])
    placeholder = kind.placeholder_response(params)
    assert kind.validate_response(params, placeholder) == placeholder


@pytest.mark.parametrize(
    ("name", "key", "value", "path"),
    [
        ("categorization", "categories", ["a", "a"], "params.categories"),
        ("imageannotation", "geometries", {}, "params.geometries"),
        (
            "namedentityrecognition",
            "labels",
            [{"name": "A", "children": [{"name": "A"}]}],
            "params.labels",
        ),
        (
            "textcollection",
            "fields",
            [{"type": "text", "field_id": "a b", "title": "T"}],
            "params.fields.0",
        ),
        ("annotation", "objects_to_annotate", [], "params.objects_to_annotate"),
        ("polygonannotation", "max_vertices", -1, "params.max_vertices"),
        ("segmentannotation", "labels", ["a", "a"], "params.labels"),
        ("segmentannotation", "allow_unlabeled", "no", "params.allow_unlabeled"),
        ("documenttranscription", "features", [{"label": ""}], "params.features.0.label"),
        ("datacollection", "fields", {"a": {"type": "date"}}, "params.fields.a.type"),
        ("transcription", "repeatable_fields", {"a": 3}, "params.repeatable_fields"),
    ],
)
def test_project_defaults_are_checked_field_by_field(name, key, value, path):
    # The project service validates each default against our field annotations on its own,
    # so per-field rules must live in the field types, not in model-level validators.
    from labelworks.services.project_settings import validate_project_params

    with pytest.raises(InvalidRequest) as caught:
        validate_project_params(name, {key: value})
    assert caught.value.field.startswith(path)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("annotation", {"objects_to_annotate": ["car"], "min_width": 4}),
        ("segmentannotation", {"labels": ["road", {"choice": "sky"}], "allow_unlabeled": True}),
        ("documenttranscription", {"features": [{"label": "total", "required": True}]}),
        ("datacollection", {"fields": {"title": "Title"}}),
        ("transcription", {"fields": {"total": "Total"}, "repeatable_fields": {"item": "Item"}}),
    ],
)
def test_project_defaults_of_the_newer_types_are_accepted(name, params):
    from labelworks.services.project_settings import validate_project_params

    assert validate_project_params(name, params) == params
