"""Each task type Scale customers use, end to end on a live server (SQLite and PostgreSQL):
created with the official client -> labelled through the worker API by three annotators ->
completed with the consensus answer -> callback received -> export read by its consumer."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import scaleapi
from scaleapi.tasks import TaskType

from labelworks.tasktypes.labelmap import decode_png, encode_png
from tests.conftest import Backend, Server, start_server, stop_server
from tests.delivery.conftest import FAST
from tests.delivery.receiver import Receiver, serve
from tests.workforce.conftest import make_worker

IMG = "https://example.com/street.png"
OVERLAP = 3
# One xdist worker runs the module, so its server starts once per backend.
pytestmark = pytest.mark.xdist_group("tasktypes-end-to-end")


@pytest.fixture(scope="module")
def live(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server per module and backend, delivering callbacks with fast retries."""
    s = start_server(backend, extra_env=FAST, log=tmp_path_factory.mktemp("log") / "tt.log")
    yield s
    stop_server(s)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    httpd = serve(r)
    yield r
    httpd.shutdown()


@pytest.fixture(scope="module")
def key(live: Server) -> str:
    return live.backend.new_org("tt")[1]


@pytest.fixture(scope="module")
def client(live: Server, key: str) -> scaleapi.ScaleClient:
    return scaleapi.ScaleClient(key, api_instance_url=live.v1)


@pytest.fixture(scope="module")
def workers(live: Server) -> Iterator[list[Any]]:
    made = [make_worker(live) for _ in range(OVERLAP)]
    yield made
    for w in made:
        w.client.close()


@dataclass
class Case:
    """One type's scenario: project params, task params, three answers, and checks."""

    type: str
    project: dict[str, Any]
    task: dict[str, Any]
    answers: list[dict[str, Any]]
    check_answer: Callable[[dict[str, Any]], None]
    export: str
    check_export: Callable[[bytes, dict[str, Any], Path], None]
    extra: dict[str, Any] = field(default_factory=dict)


# --- the geometry endpoints -------------------------------------------------------------------


def box(dx: float) -> dict[str, Any]:
    return {"label": "car", "left": 10 + dx, "top": 20, "width": 40, "height": 30}


def _box_answer(answer: dict[str, Any]) -> None:
    [a] = answer["annotations"]
    assert a["type"] == "box" and a["label"] == "car"
    assert (a["left"], a["width"]) == (pytest.approx(11), pytest.approx(40))


def _coco(raw: bytes, tmp: Path) -> Any:
    from pycocotools.coco import COCO

    path = tmp / "coco.json"
    path.write_bytes(raw)
    return COCO(str(path))


def _coco_boxes(raw: bytes, answer: dict[str, Any], tmp: Path) -> None:
    coco = _coco(raw, tmp)
    [ann] = coco.loadAnns(coco.getAnnIds())
    assert coco.loadCats(ann["category_id"])[0]["name"] == "car"
    assert ann["bbox"] == pytest.approx([11, 20, 40, 30])


def polygon(dx: float) -> dict[str, Any]:
    return {
        "label": "road",
        "vertices": [{"x": 0 + dx, "y": 0}, {"x": 40 + dx, "y": 0}, {"x": 40 + dx, "y": 30}],
    }


def _polygon_answer(answer: dict[str, Any]) -> None:
    [a] = answer["annotations"]
    assert a["type"] == "polygon" and a["label"] == "road" and len(a["vertices"]) == 3


def _coco_polygons(raw: bytes, answer: dict[str, Any], tmp: Path) -> None:
    coco = _coco(raw, tmp)
    [ann] = coco.loadAnns(coco.getAnnIds())
    flat = [c for v in answer["annotations"][0]["vertices"] for c in (v["x"], v["y"])]
    assert ann["segmentation"] == [flat]
    coco.imgs[ann["image_id"]].update(width=64, height=48)  # size unknown for a remote image
    assert coco.annToMask(ann).sum() > 0


def line(dy: float) -> dict[str, Any]:
    return {"label": "lane", "vertices": [{"x": 0, "y": 10 + dy}, {"x": 100, "y": 60 + dy}]}


def _line_answer(answer: dict[str, Any]) -> None:
    [a] = answer["annotations"]
    assert a["type"] == "line" and a["label"] == "lane"


def _jsonl(raw: bytes, answer: dict[str, Any], tmp: Path) -> None:
    [row] = [json.loads(x) for x in raw.splitlines()]
    assert row["status"] == "completed" and row["response"] == answer


def point(dx: float) -> dict[str, Any]:
    return {"label": "wheel", "x": 30 + dx, "y": 40}


def _point_answer(answer: dict[str, Any]) -> None:
    [a] = answer["annotations"]
    assert a["type"] == "point" and a["x"] == pytest.approx(31)


def _coco_points(raw: bytes, answer: dict[str, Any], tmp: Path) -> None:
    coco = _coco(raw, tmp)
    [ann] = coco.loadAnns(coco.getAnnIds())
    assert ann["keypoints"] == pytest.approx([31, 40, 2])
    assert coco.loadCats(ann["category_id"])[0]["keypoints"] == ["point"]


# --- segmentation -----------------------------------------------------------------------------

# 6 x 8 label maps: 1 = road, 2 = sky. Annotators disagree on a few pixels; the vote settles them.
ROAD_SKY = np.array([[2] * 8] * 3 + [[1] * 8] * 3, dtype=np.uint8)


def mask_answer(flip: tuple[int, int] | None, swap: bool = False) -> dict[str, Any]:
    pixels = ROAD_SKY.copy()
    if flip:
        pixels[flip] = 3 - pixels[flip]
    mapping = {"road": 1, "sky": 2}
    if swap:  # another annotator's tool numbered the labels the other way round
        pixels = 3 - pixels
        mapping = {"road": {"index": 2}, "sky": {"index": 1}}
    return {
        "annotations": {"combined": {"indexedImage": encode_png(pixels)}},
        "labelMapping": mapping,
    }


def _mask_answer(answer: dict[str, Any]) -> None:
    voted = decode_png(answer["annotations"]["combined"]["indexedImage"], "answer")
    assert answer["labelMapping"]["road"]["index"] == 1
    assert (voted == ROAD_SKY).all()


def _coco_masks(raw: bytes, answer: dict[str, Any], tmp: Path) -> None:
    from pycocotools import mask

    coco = _coco(raw, tmp)
    [image] = coco.loadImgs(coco.getImgIds())
    assert (image["width"], image["height"]) == (8, 6)
    by_label = {
        coco.loadCats(a["category_id"])[0]["name"]: a for a in coco.loadAnns(coco.getAnnIds())
    }
    assert set(by_label) == {"road", "sky"}
    for label, index in (("road", 1), ("sky", 2)):
        decoded = mask.decode(by_label[label]["segmentation"])
        assert (decoded == (index == ROAD_SKY)).all()
        assert (coco.annToMask(by_label[label]) == decoded).all()


def _png_masks(raw: bytes, answer: dict[str, Any], tmp: Path) -> None:
    from PIL import Image

    archive = zipfile.ZipFile(io.BytesIO(raw))
    labelmap = dict(
        line.split(":")[::-1] for line in archive.read("labelmap.txt").decode().splitlines()
    )
    [name] = [n for n in archive.namelist() if n.startswith("SegmentationClass/")]
    pixels = np.asarray(Image.open(io.BytesIO(archive.read(name))))
    road, sky = int(labelmap["road"]), int(labelmap["sky"])
    assert (pixels == np.where(ROAD_SKY == 1, road, sky)).all()


# --- documents and fields ---------------------------------------------------------------------


def region(text: str, dx: float) -> dict[str, Any]:
    return {
        "label": "total",
        "text": text,
        "location": {"type": "box", "left": 100 + dx, "top": 50, "width": 80, "height": 20},
    }


def title(dx: float) -> dict[str, Any]:
    return {
        "label": "title",
        "text": "INVOICE",
        "location": {"type": "box", "left": 10 + dx, "top": 5, "width": 120, "height": 30},
    }


def _document_answer(answer: dict[str, Any]) -> None:
    regions = answer["annotations"]
    assert [(r["label"], r["text"], r["reading_order"]) for r in regions] == [
        ("title", "INVOICE", 0),
        ("total", "12.00", 1),
    ]


def _fields_answer(expected: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def check(answer: dict[str, Any]) -> None:
        assert answer == expected

    return check


SHOT = "https://example.com/shot.png"

CASES = [
    Case(
        "annotation",
        {"objects_to_annotate": ["car", "bus"], "min_width": 5},
        {"attachment": IMG, "with_labels": True},
        [{"annotations": [box(dx)]} for dx in (0, 1, 2)],
        _box_answer,
        "coco",
        _coco_boxes,
    ),
    Case(
        "polygonannotation",
        {"objects_to_annotate": ["road"]},
        {"attachment": IMG, "max_vertices": 8},
        [{"annotations": [polygon(dx)]} for dx in (0, 1, 2)],
        _polygon_answer,
        "coco",
        _coco_polygons,
    ),
    Case(
        "lineannotation",
        {"objects_to_annotate": ["lane"]},
        {"attachment": IMG, "splines": False},
        [{"annotations": [line(dy)]} for dy in (0, 1, 2)],
        _line_answer,
        "jsonl",
        _jsonl,
    ),
    Case(
        "pointannotation",
        {"objects_to_annotate": ["wheel"]},
        {"attachment": IMG},
        [{"annotations": [point(dx)]} for dx in (0, 1, 2)],
        _point_answer,
        "coco",
        _coco_points,
    ),
    Case(
        "segmentannotation",
        {"labels": ["road", {"choice": "sky"}]},
        {"attachment": IMG, "allow_unlabeled": False},
        [mask_answer((0, 0)), mask_answer((5, 7), swap=True), mask_answer(None)],
        _mask_answer,
        "coco",
        _coco_masks,
        extra={"masks": _png_masks},
    ),
    Case(
        "documenttranscription",
        {"features": [{"label": "title"}, {"label": "total", "type": "box", "required": True}]},
        {"attachments": ["https://example.com/invoice.pdf"], "attachment_type": "pdf"},
        [
            {"annotations": [title(0), region("12.00", 0)]},
            {"annotations": [title(1), region("12.OO", 1)]},
            {"annotations": [title(2), region("12.00", 2)]},
        ],
        _document_answer,
        "jsonl",
        _jsonl,
    ),
    Case(
        "datacollection",
        {"fields": {"title": "Page title", "shots": {"type": "file", "multiple": True}}},
        {"attachment": "https://example.com/", "attachment_type": "website"},
        [
            {"fields": {"title": "Example Domain", "shots": [SHOT]}},
            {"fields": {"title": "Example  domain", "shots": [{"url": SHOT}]}},
            {"fields": {"title": "Other", "shots": [SHOT]}},
        ],
        _fields_answer({"fields": {"title": "Example Domain", "shots": [{"url": SHOT}]}}),
        "jsonl",
        _jsonl,
    ),
    Case(
        "transcription",
        {},
        {
            "attachment": "https://example.com/receipt.png",
            "attachment_type": "image",
            "fields": {"total": "The total", "shop": {"description": "Shop", "required": True}},
            "repeatable_fields": {"item": "Item name", "price": "Price"},
        },
        [
            {
                "fields": {"total": "4.50", "shop": "Cafe"},
                "repeatable_fields": [{"item": "tea", "price": "4.50"}],
            },
            {"fields": {"total": "4.50", "shop": "Café"}, "repeatable_fields": []},
            {
                "fields": {"total": "4.50", "shop": "Cafe"},
                "repeatable_fields": [{"item": "tea", "price": "4.50"}],
            },
        ],
        _fields_answer(
            {
                "fields": {"total": "4.50", "shop": "Cafe"},
                "repeatable_fields": [{"item": "tea", "price": "4.50"}],
            }
        ),
        "jsonl",
        _jsonl,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.type for c in CASES])
def test_create_label_consensus_callback_export(
    case: Case,
    client: scaleapi.ScaleClient,
    key: str,
    live: Server,
    receiver: Receiver,
    workers: list[Any],
    tmp_path: Path,
) -> None:
    project = f"{case.type}-{uuid.uuid4().hex[:6]}"
    client.create_project(project, TaskType(case.type), params={**case.project, "overlap": OVERLAP})
    callback = receiver.url()
    task = client.create_task(
        TaskType(case.type), project=project, callback_url=callback, **case.task
    )
    assert task.status == "pending"

    for worker, answer in zip(workers, case.answers, strict=True):
        lease = worker.next(project)
        assert lease.status_code == 200, lease.text
        assert lease.json()["task"]["task_id"] == task.id
        done = worker.submit(lease.json()["assignment_id"], {"response": answer})
        assert done.status_code == 200, done.text

    finished = client.get_task(task.id)
    assert finished.status == "completed"
    case.check_answer(finished.response)

    [delivery] = receiver.wait_for(callback, 1)
    assert delivery.json["task_id"] == task.id
    assert delivery.json["response"] == finished.response

    formats = {case.export: case.check_export, **case.extra}
    for fmt, check in formats.items():
        r = httpx.get(
            f"{live.v1}/projects/{project}/export", params={"format": fmt}, auth=(key, "")
        )
        assert r.status_code == 200, r.text
        check(r.content, finished.response, tmp_path)
