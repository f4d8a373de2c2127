"""Exports of the newer types in the formats besides those the end-to-end tests read: YOLO and
Pascal VOC for `annotation` boxes, typed Parquet (`hf`) for documents and collected fields."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree as ET

import pyarrow.parquet as pq
import pytest

from labelworks.errors import InvalidRequest
from labelworks.services import exports
from labelworks.services.scope import Principal
from tests.conftest import Backend
from tests.delivery.test_exports import add_tasks, export_bytes, new_project, new_tenant

IMG = "https://e.com/a.png"
SIZE = {"width": 640, "height": 480}


@pytest.fixture(scope="module")
def db(backend: Backend):
    return backend.db


@pytest.fixture
def principal(db) -> Principal:
    return new_tenant(db)


def test_annotation_boxes_in_yolo_voc_and_parquet(db, principal, tmp_path):
    project = new_project(db, principal, "annotation", {"objects_to_annotate": ["car", "bus"]})
    box = {"label": "bus", "left": 64, "top": 48, "width": 128, "height": 96}
    add_tasks(
        db,
        principal,
        project,
        "annotation",
        [({"attachment": IMG, "metadata": SIZE}, {"annotations": [box]})],
    )
    yolo = zipfile.ZipFile(io.BytesIO(export_bytes(db, principal, project, "yolo")))
    [labels] = [n for n in yolo.namelist() if n.startswith("labels/")]
    # Class ids follow the project's objects_to_annotate: car = 0, bus = 1.
    assert yolo.read(labels).decode().split() == [
        "1",
        "0.200000",
        "0.200000",
        "0.200000",
        "0.200000",
    ]
    voc = zipfile.ZipFile(io.BytesIO(export_bytes(db, principal, project, "voc")))
    [xml] = [n for n in voc.namelist() if n.endswith(".xml")]
    obj = ET.fromstring(voc.read(xml)).find("object")
    assert obj is not None and obj.findtext("name") == "bus"
    path = tmp_path / "boxes.parquet"
    path.write_bytes(export_bytes(db, principal, project, "hf"))
    [row] = pq.read_table(path).to_pylist()
    assert (row["width"], row["height"]) == (640, 480)
    assert [(o["type"], o["label"], o["bbox"]) for o in row["objects"]] == [
        ("box", "bus", [64, 48, 128, 96])
    ]


def test_document_regions_in_parquet(db, principal, tmp_path):
    project = new_project(db, principal, "documenttranscription")
    region = {
        "label": "total",
        "text": "12.00",
        "location": {
            "type": "polygon",
            "vertices": [{"x": 1, "y": 2}, {"x": 11, "y": 2}, {"x": 1, "y": 7}],
        },
    }
    add_tasks(
        db,
        principal,
        project,
        "documenttranscription",
        [({"attachment": "https://e.com/a.pdf"}, {"annotations": [region]})],
    )
    path = tmp_path / "doc.parquet"
    path.write_bytes(export_bytes(db, principal, project, "hf"))
    [row] = pq.read_table(path).to_pylist()
    assert row["attachments"] == ["https://e.com/a.pdf"]
    [r] = row["regions"]
    assert (r["label"], r["text"], r["bbox"], r["reading_order"]) == (
        "total",
        "12.00",
        [1, 2, 10, 5],
        0,
    )


def test_collected_fields_in_parquet(db, principal, tmp_path):
    project = new_project(
        db, principal, "datacollection", {"fields": {"title": "Title", "shot": {"type": "file"}}}
    )
    add_tasks(
        db,
        principal,
        project,
        "datacollection",
        [
            (
                {"attachment": "https://e.com/"},
                {"fields": {"title": "Hi", "shot": "https://e.com/s.png"}},
            )
        ],
    )
    path = tmp_path / "dc.parquet"
    path.write_bytes(export_bytes(db, principal, project, "hf"))
    [row] = pq.read_table(path).to_pylist()
    assert row["answers"] == [
        {"field_id": "title", "value": "Hi"},
        {"field_id": "shot", "value": '{"url": "https://e.com/s.png"}'},
    ]


def test_formats_a_type_lacks_are_refused(db, principal):
    project = new_project(db, principal, "segmentannotation", {"labels": ["road"]})
    with db.read() as session, pytest.raises(InvalidRequest) as caught:
        exports.open_export(session, db, principal, project, "yolo")
    assert caught.value.field == "format" and "masks" in caught.value.message
