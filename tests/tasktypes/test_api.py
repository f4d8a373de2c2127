"""The newer types over HTTP (in-process tier): a bad nested param or response is a 400 naming
the field, and nothing is created."""

from __future__ import annotations

import numpy as np
import pytest

from labelworks.tasktypes.labelmap import encode_png

IMG = "https://e.com/a.png"


@pytest.mark.parametrize(
    ("kind", "project", "body", "needle"),
    [
        (
            "polygonannotation",
            {"objects_to_annotate": ["road"]},
            {"attachment": IMG, "hypothesis": {"annotations": [{"label": "road", "vertices": []}]}},
            "hypothesis.annotations.0.vertices",
        ),
        ("segmentannotation", {"labels": ["road"]}, {"attachment": IMG, "labels": []}, "labels"),
        (
            "documenttranscription",
            {},
            {"attachment": IMG, "features": [{"label": "a", "type": "cuboid"}]},
            "features.0.type",
        ),
        (
            "datacollection",
            {},
            {"attachment": IMG, "fields": {"a": {"type": "file", "multiple": "yes"}}},
            "fields.a.multiple",
        ),
        (
            "transcription",
            {},
            {
                "attachment": IMG,
                "fields": {"total": "Total"},
                "repeatable_fields": {"bad key": "x"},
            },
            "repeatable_fields",
        ),
    ],
)
def test_bad_nested_params_are_400_naming_the_field(inproc_api, kind, project, body, needle):
    created = inproc_api.post("/projects", json={"name": "p", "type": kind, "params": project})
    assert created.status_code == 200, created.text
    r = inproc_api.post(f"/task/{kind}", json={"project": "p", **body})
    assert r.status_code == 400, r.text
    assert needle in r.json()["error"]
    assert inproc_api.get("/tasks", params={"project": "p"}).json()["docs"] == []


def test_gold_task_of_a_mask_type_checks_its_expected_response(inproc_api):
    inproc_api.post(
        "/projects", json={"name": "seg", "type": "segmentannotation", "params": {"labels": ["a"]}}
    )
    good = {
        "annotations": {"combined": {"indexedImage": encode_png(np.ones((2, 2), np.uint8))}},
        "labelMapping": {"a": 1},
    }
    body = {"project": "seg", "attachment": IMG}
    r = inproc_api.post(
        "/evaluation_tasks/segmentannotation", json={**body, "expected_response": good}
    )
    assert r.status_code == 200, r.text
    bad = {**good, "labelMapping": {"b": 1}}
    r = inproc_api.post(
        "/evaluation_tasks/segmentannotation", json={**body, "expected_response": bad}
    )
    assert r.status_code == 400 and "expected_response.labelMapping.b" in r.json()["error"]
