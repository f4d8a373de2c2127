"""Scale's single-geometry endpoints: annotation, polygonannotation, lineannotation,
pointannotation."""

from __future__ import annotations

import uuid

import pytest

from labelworks.tasktypes import get_task_type
from tests.tasktypes._helpers import params_error, respond, response_error

IMG = "https://e.com/a.png"
BOX = {"left": 1, "top": 2, "width": 30, "height": 20, "label": "car"}
POLY = {"label": "road", "vertices": [{"x": 0, "y": 0}, {"x": 10, "y": 0}, {"x": 5, "y": 8}]}
LINE = {"label": "lane", "vertices": [{"x": 0, "y": 0}, {"x": 9, "y": 9}]}
POINT = {"label": "wheel", "x": 3, "y": 4}


def params(**kw):
    return {"attachment": IMG, "objects_to_annotate": ["car", "road", "lane", "wheel"], **kw}


def test_every_documented_parameter_is_accepted():
    full = params(
        attachment_type="image",
        with_labels=True,
        min_width=5,
        min_height=5,
        examples=[{"correct": False, "image": IMG, "explanation": "too loose"}],
        annotation_attributes={"occluded": {"choices": ["yes", "no"]}},
        layers={"boxes": [{"left": 0, "top": 0, "width": 5, "height": 5}]},
        hypothesis={"annotations": [BOX]},
        base_annotations={"annotations": [BOX]},
        can_add_base_annotations=True,
        can_edit_base_annotations=False,
        can_edit_base_annotation_labels=False,
        can_delete_base_annotations=False,
        padding=10,
        paddingX=5,
        paddingY=5,
    )
    stored = get_task_type("annotation").validate_params(full)
    assert stored["hypothesis"]["annotations"][0]["type"] == "box"
    assert get_task_type("annotation").validate_params(stored) == stored
    path = params(min_vertices=3, max_vertices=8)
    get_task_type("polygonannotation").validate_params(path)
    get_task_type("lineannotation").validate_params({**path, "splines": True})


def test_objects_to_annotate_take_choices_and_subchoices():
    p = params(objects_to_annotate=["car", {"choice": "vehicle", "subchoices": ["bus", "van"]}])
    out = respond("annotation", p, {"annotations": [{**BOX, "label": "van"}]})
    assert out["annotations"][0]["label"] == "van"
    for label in ("truck", "vehicle"):  # a choice with subchoices is a menu, not a label
        err = response_error("annotation", p, {"annotations": [{**BOX, "label": label}]})
        assert err.field == "response.annotations.0.label"
    nested = {"choice": "a", "subchoices": [{"choice": "b", "display": "Bee"}, "c"]}
    stored = get_task_type("annotation").validate_params(params(objects_to_annotate=[nested]))
    assert stored["objects_to_annotate"][0]["subchoices"][0]["display"] == "Bee"
    bad = params(objects_to_annotate=[{"choice": "a", "subchoices": [{"name": "b"}]}])
    assert params_error("annotation", bad).field == "objects_to_annotate.0.subchoices.0.choice"


@pytest.mark.parametrize(
    ("name", "ann", "kind"),
    [
        ("annotation", BOX, "box"),
        ("polygonannotation", POLY, "polygon"),
        ("lineannotation", LINE, "line"),
        ("pointannotation", POINT, "point"),
    ],
)
def test_response_is_typed_with_uuid_and_without_global_attributes(name, ann, kind):
    out = respond(name, params(), {"annotations": [ann]})
    [a] = out["annotations"]
    assert a["type"] == kind and a["attributes"] == {}
    uuid.UUID(a["uuid"])
    assert set(out) == {"annotations"}
    # Stating the endpoint's own type is fine; another shape is not.
    assert respond(name, params(), {"annotations": [{**ann, "type": kind}]})["annotations"]
    other = "point" if kind != "point" else "box"
    err = response_error(name, params(), {"annotations": [{**ann, "type": other}]})
    assert err.field.startswith("response.annotations.0")


def test_without_labels_the_first_object_is_the_label():
    out = respond("pointannotation", params(with_labels=False), {"annotations": [{"x": 1, "y": 1}]})
    assert out["annotations"][0]["label"] == "car"
    err = response_error("pointannotation", params(), {"annotations": [{"x": 1, "y": 1}]})
    assert err.error == "response.annotations.0.label: Field required"


@pytest.mark.parametrize(
    ("name", "p", "response", "error"),
    [
        (
            "annotation",
            params(min_width=50),
            {"annotations": [BOX]},
            "response.annotations.0.width: must be at least min_width (50)",
        ),
        (
            "polygonannotation",
            params(max_vertices=3),
            {"annotations": [{**POLY, "vertices": [*POLY["vertices"], {"x": 1, "y": 1}]}]},
            "response.annotations.0.vertices: a polygon takes at most 3 vertices, got 4",
        ),
        (
            "lineannotation",
            params(),
            {"annotations": [{**LINE, "vertices": LINE["vertices"][:1]}]},
            "response.annotations.0.vertices: List should have at least 2 items after "
            "validation, not 1",
        ),
        (
            "pointannotation",
            params(),
            {"annotations": [{**POINT, "x": -1}]},
            "response.annotations.0.x: Input should be greater than or equal to 0",
        ),
        (
            "annotation",
            params(annotation_attributes={"occluded": {"choices": ["yes", "no"]}}),
            {"annotations": [{**BOX, "attributes": {"occluded": "maybe"}}]},
            "response.annotations.0.attributes.occluded: 'maybe' is not one of the choices "
            "['yes', 'no']",
        ),
    ],
)
def test_bad_responses_name_the_field(name, p, response, error):
    assert response_error(name, p, response).error == error


@pytest.mark.parametrize(
    ("p", "field"),
    [
        ({"objects_to_annotate": ["car"]}, "attachment"),
        (params(objects_to_annotate=[]), "objects_to_annotate"),
        (params(objects_to_annotate=["a", "a"]), "objects_to_annotate"),
        (params(min_width=-1), "min_width"),
        (params(hypothesis={"annotations": [{**BOX, "label": "cat"}]}), "hypothesis"),
        (params(layers={"boxes": [], "meshes": []}), "layers.meshes"),
        (
            params(layers={"boxes": [{"left": 0, "top": 0, "width": 0, "height": 1}]}),
            "layers.boxes.0.width",
        ),
        (params(layers={"lines": [{"vertices": [{"x": 1, "y": 1}]}]}), "layers.lines.0.vertices"),
        (params(examples=[{"correct": True}]), "examples.0.image"),
    ],
)
def test_bad_params_name_the_field(p, field):
    assert params_error("annotation", p).field.startswith(field)


def test_vertex_bounds_must_be_ordered():
    err = params_error("polygonannotation", params(min_vertices=5, max_vertices=4))
    assert err.field == "max_vertices"


def test_consensus_and_gold_score_reuse_image_geometry():
    kind = get_task_type("annotation")
    p = kind.validate_params(params())
    answers = [kind.validate_response(p, {"annotations": [{**BOX, "left": x}]}) for x in (1, 2, 30)]
    answer, confidence = kind.consensus(p, answers, [1.0, 1.0, 1.0])
    [box] = answer["annotations"]
    assert set(answer) == {"annotations"} and "support" not in box
    assert box["left"] == pytest.approx(1.5)  # the third box overlaps too little to count
    assert 0 < confidence < 1
    assert kind.score(p, answers[0], answer) == 1.0
    assert kind.score(p, {"annotations": []}, answer) == 0.0


def test_lines_reach_consensus():
    kind = get_task_type("lineannotation")
    p = kind.validate_params(params())
    shifted = [{**v, "y": v["y"] + 1} for v in LINE["vertices"]]
    answers = [
        kind.validate_response(p, {"annotations": [a]})
        for a in (LINE, LINE, {**LINE, "vertices": shifted})
    ]
    answer, _ = kind.consensus(p, answers, [1.0, 1.0, 1.0])
    assert [a["label"] for a in answer["annotations"]] == ["lane"]


@pytest.mark.parametrize(
    "name", ["annotation", "polygonannotation", "lineannotation", "pointannotation"]
)
def test_placeholder_response_is_valid(name):
    kind = get_task_type(name)
    p = kind.validate_params(params())
    assert kind.validate_response(p, kind.placeholder_response(p)) == {"annotations": []}


def test_coco_objects_of_a_box_and_a_point():
    kind = get_task_type("pointannotation")
    p = kind.validate_params(params())
    out = kind.validate_response(p, {"annotations": [POINT]})
    [(label, obj)] = list(kind.coco_objects(out))
    assert label == "wheel" and obj["keypoints"] == [3, 4, 2]
