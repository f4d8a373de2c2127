"""segmentannotation: label-map PNG responses, per-pixel vote, COCO RLE."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest

from labelworks.tasktypes import get_task_type
from labelworks.tasktypes.labelmap import PNG_DATA_URI, decode_png, encode_png, rle_encode
from tests.tasktypes._helpers import params_error, respond, response_error

PARAMS = {
    "attachment": "https://e.com/a.png",
    "labels": [
        "road",
        {"choice": "vehicle", "subchoices": [{"choice": "car", "instance_label": True}, "bus"]},
    ],
}
MAP = np.array([[1, 1, 2], [3, 3, 0]], dtype=np.uint8)
KIND = get_task_type("segmentannotation")


def answer(pixels=MAP, mapping=None):
    return {
        "annotations": {"combined": {"indexedImage": encode_png(pixels)}},
        "labelMapping": mapping or {"road": 1, "car": [{"index": 2}, {"index": 3}]},
    }


def test_round_trip_fills_colours_and_keeps_pixels():
    out = respond("segmentannotation", {**PARAMS, "allow_unlabeled": True}, answer())
    assert out["labelMapping"]["road"] == {"index": 1, "color": "#800000"}
    assert [i["index"] for i in out["labelMapping"]["car"]] == [2, 3]
    assert (decode_png(out["annotations"]["combined"]["indexedImage"], "x") == MAP).all()


def test_every_documented_parameter_is_accepted():
    stored = KIND.validate_params(
        {
            **PARAMS,
            "attachment_type": "image",
            "allow_unlabeled": True,
            "examples": [{"image": "https://e.com/x.png", "correct": True}],
            "layers": {"polygons": []},
            "context_attachments": [{"attachment": "https://e.com/before.png"}],
            "annotation_attributes": {"parked": {"choices": ["yes", "no"]}},
            "hypothesis": answer(),
        }
    )
    assert KIND.validate_params(stored) == stored


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (
            answer(),
            "response.annotations.combined.indexedImage: has unlabeled pixels (0) but "
            "allow_unlabeled is false",
        ),
        (
            answer(mapping={"road": 1, "car": 2}),
            "response.annotations.combined.indexedImage: pixel values [3] are not in labelMapping",
        ),
        (
            answer(mapping={"road": [1], "car": [2, 3]}),
            "response.labelMapping.road: only labels with instance_label map to a list of instances",
        ),
        (
            answer(mapping={"road": 1, "truck": 2, "car": 3}),
            "response.labelMapping.truck: 'truck' is not one of the task's labels "
            "['road', 'car', 'bus']",
        ),
        (
            answer(mapping={"road": 1, "car": [{"index": 1}, {"index": 3}]}),
            "response.labelMapping.car.0: index 1 is used twice",
        ),
        (
            answer(mapping={"road": 0, "car": 2}),
            "response.labelMapping.road.index: Input should be greater than or equal to 1",
        ),
        (
            {
                "annotations": {"combined": {"indexedImage": "https://e.com/m.png"}},
                "labelMapping": {},
            },
            "response.annotations.combined.indexedImage: must be a PNG data URI "
            "(data:image/png;base64,...)",
        ),
        (
            {
                "annotations": {"combined": {"indexedImage": PNG_DATA_URI + "!!"}},
                "labelMapping": {},
            },
            "response.annotations.combined.indexedImage: is not valid base64",
        ),
        (
            {"annotations": {"combined": {}}, "labelMapping": {}},
            "response.annotations.combined.indexedImage: Field required",
        ),
        (
            {**answer(), "annotations": {"combined": {"indexedImage": "x"}, "extra": 1}},
            "response.annotations.extra: Extra inputs are not permitted",
        ),
    ],
)
def test_bad_responses_name_the_field(response, error):
    assert response_error("segmentannotation", PARAMS, response).error == error


def test_colour_images_are_refused():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buffer, format="PNG")
    uri = PNG_DATA_URI + base64.b64encode(buffer.getvalue()).decode()
    err = response_error(
        "segmentannotation",
        PARAMS,
        {"annotations": {"combined": {"indexedImage": uri}}, "labelMapping": {}},
    )
    assert "single-channel" in err.error


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"attachment": "x", "labels": []}, "labels"),
        ({"attachment": "x", "labels": ["a", "a"]}, "labels"),
        ({"attachment": "x", "labels": [{"choice": "a", "instance": True}]}, "labels.0.instance"),
        ({"attachment": "x", "labels": [str(i) for i in range(51)]}, "labels"),
        (
            {
                "attachment": "x",
                "labels": [{"choice": "c", "subchoices": [str(i) for i in range(256)]}],
            },
            "labels",
        ),
        (
            {**PARAMS, "hypothesis": answer(mapping={"road": 1})},
            "hypothesis.annotations.combined.indexedImage",
        ),
        ({**PARAMS, "allow_unlabeled": "yes"}, "allow_unlabeled"),
        ({"labels": ["a"]}, "attachment"),
    ],
)
def test_bad_params_name_the_field(params, field):
    assert params_error("segmentannotation", params).field == field


def test_vote_is_per_pixel_whatever_index_each_annotator_used():
    p = KIND.validate_params({**PARAMS, "allow_unlabeled": True})
    # The second annotator numbered the labels differently; the same picture nonetheless.
    swapped = np.array([[7, 7, 9], [8, 8, 0]], dtype=np.uint8)
    odd = MAP.copy()
    odd[0, 0] = 3
    answers = [
        KIND.validate_response(p, answer()),
        KIND.validate_response(
            p, answer(swapped, {"road": 7, "car": [{"index": 9}, {"index": 8}]})
        ),
        KIND.validate_response(p, answer(odd)),
    ]
    voted, confidence = KIND.consensus(p, answers, [1.0, 1.0, 1.0])
    classes = KIND.class_map(p, voted)
    # In label order: road = 1, car = 2, bus = 3 (instances fold into their label).
    assert classes.tolist() == [[1, 1, 2], [2, 2, 0]]
    assert confidence == pytest.approx((5 + 2 / 3) / 6)
    assert KIND.score(p, answers[0], voted) == 1.0
    assert KIND.score(p, answers[2], voted) < 1.0


def test_the_most_trusted_annotator_outweighs_two_others():
    p = KIND.validate_params({**PARAMS, "allow_unlabeled": True})
    road = np.ones((2, 2), dtype=np.uint8)
    car = np.full((2, 2), 3, dtype=np.uint8)
    answers = [
        KIND.validate_response(p, a)
        for a in (answer(road, {"road": 1}), answer(car, {"car": [3]}), answer(car, {"bus": 3}))
    ]
    voted, _ = KIND.consensus(p, answers, [0.9, 0.3, 0.3])
    assert (KIND.class_map(p, voted) == 1).all()


def test_rle_matches_pycocotools():
    from pycocotools import mask

    rng = np.random.default_rng(7)
    for shape in [(1, 1), (3, 5), (17, 9), (40, 33)]:
        for fill in (0.0, 0.3, 1.0):
            m = rng.random(shape) < fill
            ours = rle_encode(m)
            theirs = mask.encode(np.asfortranarray(m.astype(np.uint8)))
            assert ours["counts"] == theirs["counts"].decode()
            assert (mask.decode(ours) == m).all()


def test_placeholder_response_is_valid():
    for allow in (True, False):
        p = KIND.validate_params({**PARAMS, "allow_unlabeled": allow})
        assert KIND.validate_response(p, KIND.placeholder_response(p))


def test_coco_has_one_mask_per_instance_and_a_lone_answer_keeps_its_instances():
    from pycocotools import mask

    p = KIND.validate_params({**PARAMS, "allow_unlabeled": True})
    drawn = KIND.validate_response(p, answer())
    kept, confidence = KIND.consensus(p, [drawn], [0.7])
    assert kept == drawn and confidence == 1.0
    objects = list(KIND.coco_objects_for(p, kept))
    assert [label for label, _ in objects] == ["road", "car", "car"]
    for (_, obj), index in zip(objects, (1, 2, 3), strict=True):
        assert (mask.decode(obj["segmentation"]) == (index == MAP)).all()
        assert obj["area"] == float((index == MAP).sum())


def test_an_unknown_top_level_param_is_dropped_and_named():
    warnings: list[str] = []
    params = KIND.validate_params({**PARAMS, "instance_labels": ["car"]}, warnings)
    assert "instance_labels" not in params
    assert warnings == ["unknown parameter 'instance_labels' ignored"]
