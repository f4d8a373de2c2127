from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelworks.errors import InvalidRequest
from labelworks.tasktypes import get_task_type
from tests.tasktypes._helpers import params_error, respond, response_error

IMG = "https://e.com/a.png"
PARAMS = {
    "attachment": IMG,
    "geometries": {
        "box": {"objects_to_annotate": ["car", "truck"], "min_width": 5, "min_height": 5},
        "polygon": {"objects_to_annotate": ["road"], "max_vertices": 6},
        "line": {"objects_to_annotate": ["lane"]},
        "point": {"objects_to_annotate": ["wheel"]},
        "ellipse": {"objects_to_annotate": ["sign"]},
    },
    "annotation_attributes": {
        "occlusion": {"description": "How hidden?", "choices": ["0%", "50%", "100%"]},
        "plate": {"type": "text", "conditions": {"label_condition": {"label": ["car"]}}},
        "speed": {"type": "number", "min": 0, "max": 200},
    },
}
BOX = {"type": "box", "label": "car", "left": 1, "top": 2, "width": 30, "height": 20}
POLYGON = {
    "type": "polygon",
    "label": "road",
    "vertices": [{"x": 0, "y": 0}, {"x": 10, "y": 0}, {"x": 5, "y": 8}],
}
LINE = {"type": "line", "label": "lane", "vertices": [{"x": 0, "y": 0}, {"x": 9, "y": 9}]}
POINT = {"type": "point", "label": "wheel", "x": 3, "y": 4}
ELLIPSE = {"type": "ellipse", "label": "sign", "x": 50, "y": 50, "rx": 10, "ry": 5, "angle": 30}


def test_every_geometry_round_trips_with_uuids_and_defaults():
    box = {**BOX, "attributes": {"occlusion": "50%", "plate": "AB-123", "speed": 80}}
    out = respond("imageannotation", PARAMS, {"annotations": [box, POLYGON, LINE, POINT, ELLIPSE]})
    assert out["global_attributes"] == {}
    assert [a["type"] for a in out["annotations"]] == ["box", "polygon", "line", "point", "ellipse"]
    for ann in out["annotations"]:
        uuid.UUID(ann["uuid"])
    assert out["annotations"][0]["attributes"] == box["attributes"]
    assert out["annotations"][1]["attributes"] == {}
    assert out["annotations"][4]["angle"] == 30


def test_given_uuid_is_kept_and_empty_response_is_valid():
    out = respond("imageannotation", PARAMS, {"annotations": [{**POINT, "uuid": "mine"}]})
    assert out["annotations"][0]["uuid"] == "mine"
    assert respond("imageannotation", PARAMS, {"annotations": []}) == {
        "annotations": [],
        "global_attributes": {},
    }


def test_attribute_without_type_is_a_category_attribute():
    stored = get_task_type("imageannotation").validate_params(PARAMS)
    assert stored["annotation_attributes"]["occlusion"]["type"] == "category"
    assert stored["annotation_attributes"]["plate"]["conditions"] == {
        "label_condition": {"label": ["car"]}
    }


def test_hypothesis_is_validated_and_stored_like_a_response():
    stored = get_task_type("imageannotation").validate_params(
        {**PARAMS, "hypothesis": {"annotations": [BOX]}}
    )
    hypothesis = stored["hypothesis"]["annotations"][0]
    assert hypothesis["label"] == "car" and uuid.UUID(hypothesis["uuid"])


def _with(**changes):
    return {**PARAMS, **changes}


@pytest.mark.parametrize(
    ("params", "path", "reason"),
    [
        ({"geometries": PARAMS["geometries"]}, "attachment", "Field required"),
        (_with(attachment_type="video"), "attachment_type", "'image'"),
        (_with(geometries={}), "geometries", "at least one of box"),
        (
            _with(geometries={"circle": {"objects_to_annotate": ["a"]}}),
            "geometries.circle",
            "Extra inputs",
        ),
        (
            _with(geometries={"box": {"objects_to_annotate": []}}),
            "geometries.box.objects_to_annotate",
            "must not be empty",
        ),
        (
            _with(geometries={"box": {"objects_to_annotate": ["a", "a"]}}),
            "geometries.box.objects_to_annotate",
            "duplicate",
        ),
        (
            _with(geometries={"box": {"objects_to_annotate": ["a"], "min_width": -1}}),
            "geometries.box.min_width",
            "greater than or equal to 0",
        ),
        (
            _with(
                geometries={
                    "polygon": {"objects_to_annotate": ["a"], "min_vertices": 5, "max_vertices": 4}
                }
            ),
            "geometries.polygon.max_vertices",
            "at least min_vertices",
        ),
        (
            _with(annotation_attributes={"occ": {"choices": []}}),
            "annotation_attributes.occ.choices",
            "must not be empty",
        ),
        (
            _with(annotation_attributes={" ": {"type": "text"}}),
            "annotation_attributes",
            "key ' ': must not be blank",
        ),
        (
            _with(annotation_attributes={"occ": {"type": "colour"}}),
            "annotation_attributes.occ.type",
            "does not match",
        ),
        (
            _with(annotation_attributes={"n": {"type": "number", "min": 5, "max": 1}}),
            "annotation_attributes.n.max",
            "at least min",
        ),
        (
            _with(
                annotation_attributes={
                    "p": {
                        "type": "text",
                        "conditions": {"label_condition": {"label": ["car", "bus"]}},
                    }
                }
            ),
            "annotation_attributes.p.conditions.label_condition.label.1",
            "'bus' is not in any",
        ),
        (
            _with(hypothesis={"annotations": [{**BOX, "width": -3}]}),
            "hypothesis.annotations.0.width",
            "greater than 0",
        ),
        (
            _with(hypothesis={"annotations": [BOX, {**BOX, "label": "bus"}]}),
            "hypothesis.annotations.1.label",
            "'bus' is not in geometries.box.objects_to_annotate",
        ),
    ],
)
def test_bad_params_name_the_field(params, path, reason):
    error = params_error("imageannotation", params)
    assert error.field == path and reason in error.message


def _one(ann):
    return {"annotations": [ann]}


@pytest.mark.parametrize(
    ("response", "path", "reason"),
    [
        ({}, "response.annotations", "Field required"),
        (_one({**BOX, "type": "cuboid"}), "response.annotations.0.type", "does not match"),
        (
            _one({k: v for k, v in BOX.items() if k != "type"}),
            "response.annotations.0.type",
            "Field required",
        ),
        (_one({**BOX, "label": "bus"}), "response.annotations.0.label", "'bus' is not in"),
        (
            _one({**POINT, "label": "car"}),
            "response.annotations.0.label",
            "not in geometries.point.objects_to_annotate",
        ),
        (_one({**BOX, "left": -1}), "response.annotations.0.left", "greater than or equal to 0"),
        (_one({**BOX, "top": float("nan")}), "response.annotations.0.top", "finite"),
        (_one({**POINT, "x": float("inf")}), "response.annotations.0.x", "finite"),
        (_one({**BOX, "width": 0}), "response.annotations.0.width", "greater than 0"),
        (_one({**BOX, "width": "30"}), "response.annotations.0.width", "valid number"),
        (_one({**BOX, "height": 4}), "response.annotations.0.height", "min_height (5)"),
        (_one({**BOX, "depth": 4}), "response.annotations.0.depth", "Extra inputs"),
        (
            _one({**POLYGON, "vertices": POLYGON["vertices"][:2]}),
            "response.annotations.0.vertices",
            "at least 3",
        ),
        (
            _one({**POLYGON, "vertices": [{"x": i, "y": i} for i in range(7)]}),
            "response.annotations.0.vertices",
            "at most 6 vertices",
        ),
        (
            _one({**POLYGON, "vertices": [{"x": 0, "y": 0}, {"x": 1}, {"x": 2, "y": 2}]}),
            "response.annotations.0.vertices.1.y",
            "Field required",
        ),
        (
            _one({**LINE, "vertices": LINE["vertices"][:1]}),
            "response.annotations.0.vertices",
            "at least 2",
        ),
        (_one({**ELLIPSE, "ry": -1}), "response.annotations.0.ry", "greater than 0"),
        (
            _one({**BOX, "attributes": {"colour": "red"}}),
            "response.annotations.0.attributes.colour",
            "unknown attribute",
        ),
        (
            _one({**BOX, "attributes": {"occlusion": "25%"}}),
            "response.annotations.0.attributes.occlusion",
            "not one of the choices",
        ),
        (
            _one({**BOX, "attributes": {"speed": 300}}),
            "response.annotations.0.attributes.speed",
            "at most 200",
        ),
        (
            _one({**BOX, "attributes": {"speed": "fast"}}),
            "response.annotations.0.attributes.speed",
            "finite number",
        ),
        (
            _one({**BOX, "attributes": {"plate": 7}}),
            "response.annotations.0.attributes.plate",
            "must be a string",
        ),
        (
            _one({**BOX, "label": "truck", "attributes": {"plate": "X"}}),
            "response.annotations.0.attributes.plate",
            "does not apply to label 'truck'",
        ),
        (
            {"annotations": [{**POINT, "uuid": "u"}, {**LINE, "uuid": "u"}]},
            "response.annotations.1.uuid",
            "duplicate uuid",
        ),
        ({"annotations": [], "global_attributes": []}, "response.global_attributes", "dictionary"),
    ],
)
def test_bad_responses_name_the_field(response, path, reason):
    error = response_error("imageannotation", PARAMS, response)
    assert error.field == path and reason in error.message


def test_geometry_not_in_task_is_rejected():
    params = {"attachment": IMG, "geometries": {"box": {"objects_to_annotate": ["car"]}}}
    error = response_error("imageannotation", params, _one(POINT))
    assert error.field == "response.annotations.0.type"
    assert "'point' is not one of the task's geometries ['box']" in error.message


BOX_ONLY = get_task_type("imageannotation").validate_params(
    {
        "attachment": IMG,
        "geometries": {
            "box": {"objects_to_annotate": ["car", "bus"], "min_width": 4, "min_height": 2}
        },
    }
)
coords = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["car", "bus"]), coords, coords, st.floats(4, 1e4), st.floats(2, 1e4)
        ),
        max_size=8,
    )
)
def test_any_box_within_constraints_validates(boxes):
    response = {
        "annotations": [
            {"type": "box", "label": label, "left": x, "top": y, "width": w, "height": h}
            for label, x, y, w, h in boxes
        ]
    }
    out = get_task_type("imageannotation").validate_response(BOX_ONLY, response)
    assert [(a["left"], a["width"]) for a in out["annotations"]] == [(b[1], b[3]) for b in boxes]


@settings(max_examples=50, deadline=None)
@given(st.text().filter(lambda s: s not in ("car", "bus")))
def test_any_label_outside_the_list_is_rejected(label):
    response = _one({"type": "box", "label": label, "left": 0, "top": 0, "width": 9, "height": 9})
    with pytest.raises(InvalidRequest) as caught:
        get_task_type("imageannotation").validate_response(BOX_ONLY, response)
    assert caught.value.field == "response.annotations.0.label"


@settings(max_examples=50, deadline=None)
@given(st.floats(max_value=4, exclude_max=True, allow_nan=False).filter(lambda w: w > 0))
def test_any_box_narrower_than_min_width_is_rejected(width):
    response = _one(
        {"type": "box", "label": "car", "left": 0, "top": 0, "width": width, "height": 9}
    )
    with pytest.raises(InvalidRequest) as caught:
        get_task_type("imageannotation").validate_response(BOX_ONLY, response)
    assert caught.value.field == "response.annotations.0.width"
