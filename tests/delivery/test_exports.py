"""Exports: every format loaded by the tool that consumes it, streamed by keyset, over the CLI and
the API.

The helpers at the top seed through the services in-process (the import tests reuse them).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest
from sqlalchemy import func, select

from labelworks.db.database import Database
from labelworks.db.tables import Task
from labelworks.services import exports
from labelworks.services.completion import complete_task
from labelworks.services.orgs import create_org
from labelworks.services.projects import create_project
from labelworks.services.scope import Principal
from labelworks.services.tasks import create_task
from labelworks.tasktypes import get_task_type
from tests.conftest import Backend, cli, make_backend

GEOMETRIES = {
    "box": {"objects_to_annotate": ["car", "person"]},
    "polygon": {"objects_to_annotate": ["road"]},
    "point": {"objects_to_annotate": ["head"]},
}


def new_tenant(db: Database) -> Principal:
    with db.write() as session:
        org, _ = create_org(session, f"xfer-{uuid.uuid4().hex[:8]}")
        return Principal(org.id, org.name)


def new_project(
    db: Database, principal: Principal, task_type: str, params: dict[str, Any] | None = None
) -> str:
    name = f"p-{uuid.uuid4().hex[:8]}"
    with db.write() as session:
        create_project(
            session, principal, {"name": name, "type": task_type, "params": params or {}}
        )
    return name


def add_tasks(
    db: Database,
    principal: Principal,
    project: str,
    task_type: str,
    items: list[tuple[dict[str, Any], dict[str, Any] | None]],
) -> list[str]:
    """Create tasks (body, response); complete those with a response (validated first)."""
    kind = get_task_type(task_type)
    ids = []
    with db.write() as session:
        for body, response in items:
            task_id = create_task(
                session, principal, task_type, {"project": project, **body}
            ).task.task_id
            ids.append(task_id)
            if response is not None:
                task = session.scalar(select(Task).where(Task.task_id == task_id))
                complete_task(session, task, kind.validate_response(task.params, response))
    return ids


def export_bytes(
    db: Database, principal: Principal, project: str, fmt: str, chunk: int = 1000, **options: Any
) -> bytes:
    with db.read() as session:
        export = exports.open_export(session, db, principal, project, fmt, **options)
    export.chunk = chunk
    return b"".join(exports.stream(export))


def export_file(
    db: Database, principal: Principal, project: str, fmt: str, path: Path, **options: Any
) -> Path:
    path.write_bytes(export_bytes(db, principal, project, fmt, **options))
    return path


def tasks_of(db: Database, principal: Principal, project: str) -> list[Task]:
    from labelworks.services.projects import get_project

    with db.read() as session:
        project_id = get_project(session, principal, project).id
        return list(
            session.scalars(select(Task).where(Task.project_id == project_id).order_by(Task.seq))
        )


def count_tasks(db: Database, principal: Principal) -> int:
    with db.read() as session:
        return (
            session.scalar(
                select(func.count()).select_from(Task).where(Task.org_id == principal.org_id)
            )
            or 0
        )


def png_bytes(width: int, height: int) -> bytes:
    """A valid 1-bit grey PNG of the given size."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_backend(tmp_path_factory: pytest.TempPathFactory) -> Backend:
    """Format tests need a database but not both: they run once, on SQLite."""
    backend = make_backend("sqlite", tmp_path_factory.mktemp("formats"))
    yield backend
    backend.dispose()


@pytest.fixture
def db(sqlite_backend: Backend) -> Database:
    return sqlite_backend.db


@pytest.fixture
def principal(db: Database) -> Principal:
    return new_tenant(db)


def uploaded_png(db: Database, principal: Principal, width: int, height: int) -> str:
    """The attachment URL of a PNG uploaded to this server (no size given anywhere else)."""
    from labelworks.services.files import record_file, store_upload

    blob = store_upload(db, principal, io.BytesIO(png_bytes(width, height)), "x.png", "image/png")
    with db.write() as session:
        file_id = record_file(session, principal, blob).id
    return f"http://127.0.0.1:8000/v1/files/{file_id}/content"


BOX_CAR = {
    "type": "box",
    "label": "car",
    "left": 10,
    "top": 20,
    "width": 30,
    "height": 40,
    "attributes": {},
}
BOX_PERSON = {
    "type": "box",
    "label": "person",
    "left": 50.5,
    "top": 0,
    "width": 10,
    "height": 20.25,
}
POLYGON = {
    "type": "polygon",
    "label": "road",
    "vertices": [{"x": 0, "y": 0}, {"x": 100, "y": 0}, {"x": 100, "y": 50}],
}
POINT = {"type": "point", "label": "head", "x": 5, "y": 6}


def image_project(db: Database, principal: Principal) -> tuple[str, list[str], str]:
    """Three completed images (sizes from metadata, from an uploaded PNG's header, unknown) and
    one pending; returns (project, completed task ids, uploaded attachment URL)."""
    project = new_project(db, principal, "imageannotation", {"geometries": GEOMETRIES})
    upload = uploaded_png(db, principal, 320, 200)
    ids = add_tasks(
        db,
        principal,
        project,
        "imageannotation",
        [
            (
                {"attachment": "https://e.com/a.jpg", "metadata": {"width": 640, "height": 480}},
                {"annotations": [BOX_CAR, BOX_PERSON, POLYGON, POINT]},
            ),
            ({"attachment": upload}, {"annotations": [BOX_CAR]}),
            ({"attachment": "https://e.com/unknown.png"}, {"annotations": [BOX_PERSON]}),
            ({"attachment": "https://e.com/pending.png"}, None),
        ],
    )
    return project, ids[:3], upload


# --- image formats ------------------------------------------------------------------------------


def test_coco_export_loads_in_pycocotools(db, principal, tmp_path):
    from pycocotools.coco import COCO

    project, ids, upload = image_project(db, principal)
    coco = COCO(str(export_file(db, principal, project, "coco", tmp_path / "coco.json")))
    images = coco.loadImgs(coco.getImgIds())
    assert [i["labelworks_task_id"] for i in images] == ids  # completed only, in order
    assert [(i["width"], i["height"]) for i in images] == [(640, 480), (320, 200), (0, 0)]
    assert images[1]["coco_url"] == upload and images[0]["file_name"] == f"{ids[0]}.jpg"
    names = {c["id"]: c["name"] for c in coco.loadCats(coco.getCatIds())}
    assert list(names.values()) == ["car", "person", "road", "head"]  # project order
    first = coco.loadAnns(coco.getAnnIds(imgIds=[images[0]["id"]]))
    by_label = {names[a["category_id"]]: a for a in first}
    assert by_label["car"]["bbox"] == [10, 20, 30, 40] and by_label["car"]["area"] == 1200
    assert by_label["car"]["segmentation"] == []
    assert by_label["road"]["segmentation"] == [[0, 0, 100, 0, 100, 50]]
    assert by_label["road"]["bbox"] == [0, 0, 100, 50] and by_label["road"]["area"] == 2500
    assert by_label["head"]["keypoints"] == [5, 6, 2] and by_label["head"]["num_keypoints"] == 1
    assert coco.loadCats([by_label["head"]["category_id"]])[0]["keypoints"] == ["point"]
    assert len(coco.getAnnIds(catIds=[1])) == 2  # the car on image 1 and on image 2


def test_yolo_export_is_normalised_boxes_with_data_yaml(db, principal, tmp_path):
    import yaml

    project, ids, _ = image_project(db, principal)
    archive = zipfile.ZipFile(io.BytesIO(export_bytes(db, principal, project, "yolo")))
    data = yaml.safe_load(archive.read("data.yaml"))
    assert data["names"] == {0: "car", 1: "person", 2: "road", 3: "head"} and data["nc"] == 4
    rows = [line.split() for line in archive.read(f"labels/{ids[0]}.txt").decode().splitlines()]
    assert len(rows) == 2  # boxes only
    cls, cx, cy, w, h = rows[0]
    expected = [25 / 640, 40 / 480, 30 / 640, 40 / 480]
    assert cls == "0" and [float(v) for v in (cx, cy, w, h)] == pytest.approx(expected, abs=1e-6)
    assert rows[1][0] == "1" and float(rows[1][1]) == pytest.approx(55.5 / 640, abs=1e-6)
    assert archive.read(f"labels/{ids[1]}.txt").decode().split()[1] == f"{25 / 320:.6f}"
    skipped = list(csv.reader(io.StringIO(archive.read("skipped.csv").decode())))
    assert skipped[1:] == [[ids[2], "image size unknown"]]
    index = list(csv.reader(io.StringIO(archive.read("images.csv").decode())))
    assert index[1] == [f"{ids[0]}.jpg", "https://e.com/a.jpg"] and len(index) == 4


def test_voc_export_parses_as_pascal_voc_xml(db, principal):
    project, ids, _ = image_project(db, principal)
    archive = zipfile.ZipFile(io.BytesIO(export_bytes(db, principal, project, "voc")))
    root = ET.fromstring(archive.read(f"Annotations/{ids[0]}.xml"))
    assert root.findtext("filename") == f"{ids[0]}.jpg"
    assert (root.findtext("size/width"), root.findtext("size/height")) == ("640", "480")
    objects = [
        (
            o.findtext("name"),
            [float(o.findtext(f"bndbox/{k}")) for k in ("xmin", "ymin", "xmax", "ymax")],
        )
        for o in root.findall("object")
    ]
    assert objects == [("car", [10, 20, 40, 60]), ("person", [50.5, 0, 60.5, 20.25])]
    assert archive.read("ImageSets/Main/default.txt").decode().split() == ids


def test_label_studio_image_results_are_percentages(db, principal):
    project, ids, _ = image_project(db, principal)
    tasks = json.loads(export_bytes(db, principal, project, "label-studio"))
    assert [t["meta"]["labelworks_task_id"] for t in tasks] == ids
    result = tasks[0]["annotations"][0]["result"]
    rect = next(r for r in result if r["type"] == "rectanglelabels")
    assert rect["value"]["x"] == pytest.approx(10 / 640 * 100)
    assert rect["value"]["height"] == pytest.approx(40 / 480 * 100)
    assert rect["value"]["rectanglelabels"] == ["car"] and rect["to_name"] == "image"
    assert rect["original_width"] == 640 and tasks[0]["data"] == {"image": "https://e.com/a.jpg"}
    polygon = next(r for r in result if r["type"] == "polygonlabels")
    assert polygon["value"]["points"][2] == [
        pytest.approx(100 / 640 * 100),
        pytest.approx(50 / 480 * 100),
    ]
    assert any(r["type"] == "keypointlabels" for r in result)
    assert tasks[2]["annotations"][0]["result"] == [] and "warning" in tasks[2]["meta"]


def test_hf_parquet_loads_with_datasets_typed(db, principal, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from datasets import load_dataset

    project, ids, _ = image_project(db, principal)
    path = export_file(db, principal, project, "hf", tmp_path / "images.parquet")
    ds = load_dataset("parquet", data_files=str(path), cache_dir=str(tmp_path / "cache"))["train"]
    assert ds["task_id"] == ids and ds["width"] == [640, 320, 0]
    assert ds.features["width"].dtype == "int32"
    first = ds[0]["objects"]
    assert [o["label"] for o in first] == ["car", "person", "road", "head"]
    assert first[0]["bbox"] == [10, 20, 30, 40] and first[0]["type"] == "box"
    assert first[3]["points"] == [[5, 6]] and first[0]["points"] == []


# --- text formats -------------------------------------------------------------------------------

NER_PARAMS = {"labels": [{"name": "PER"}, {"name": "LOC", "children": [{"name": "CITY"}]}]}


def test_conll_export_is_token_bio(db, principal):
    project = new_project(db, principal, "namedentityrecognition", NER_PARAMS)
    text = "Ada Lovelace lived in  London town."
    add_tasks(
        db,
        principal,
        project,
        "namedentityrecognition",
        [
            (
                {"text": text},
                {
                    "annotations": [
                        {"start": 0, "end": 12, "label": "PER"},
                        {"start": 23, "end": 29, "label": "CITY"},
                    ]
                },
            ),
            ({"text": "Nothing here"}, {"annotations": []}),
        ],
    )
    docs = export_bytes(db, principal, project, "conll").decode().split("\n\n")
    assert docs[0].splitlines() == [
        "Ada B-PER",
        "Lovelace I-PER",
        "lived O",
        "in O",
        "London B-CITY",
        "town. O",
    ]
    assert docs[1].splitlines() == ["Nothing O", "here O"]


def test_ner_label_studio_and_hf(db, principal, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from datasets import load_dataset

    project = new_project(db, principal, "namedentityrecognition", NER_PARAMS)
    add_tasks(
        db,
        principal,
        project,
        "namedentityrecognition",
        [({"text": "Ada in Paris"}, {"annotations": [{"start": 7, "end": 12, "label": "CITY"}]})],
    )
    [task] = json.loads(export_bytes(db, principal, project, "label-studio"))
    assert task["data"] == {"text": "Ada in Paris"}
    assert task["annotations"][0]["result"] == [
        {
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": 7, "end": 12, "text": "Paris", "labels": ["CITY"]},
        }
    ]
    path = export_file(db, principal, project, "hf", tmp_path / "ner.parquet")
    ds = load_dataset("parquet", data_files=str(path), cache_dir=str(tmp_path / "c"))["train"]
    assert ds[0]["entities"] == [{"start": 7, "end": 12, "label": "CITY", "text": "Paris"}]


def test_categorization_csv_and_label_studio_choices(db, principal):
    project = new_project(db, principal, "categorization", {"categories": ["cat", "dog"]})
    ids = add_tasks(
        db,
        principal,
        project,
        "categorization",
        [
            (
                {"attachment": "https://e.com/1.png", "unique_id": f"u-{uuid.uuid4()}"},
                {"category": "dog"},
            ),
            (
                {"attachment": "some text", "attachment_type": "text", "allow_multiple": True},
                {"category": ["cat", "dog"]},
            ),
        ],
    )
    rows = list(csv.reader(io.StringIO(export_bytes(db, principal, project, "csv").decode())))
    assert rows[0] == ["task_id", "unique_id", "attachment", "attachment_type", "category"]
    assert rows[1][0] == ids[0] and rows[1][2:] == ["https://e.com/1.png", "image", "dog"]
    assert json.loads(rows[2][4]) == ["cat", "dog"] and rows[2][1] == ""
    tasks = json.loads(export_bytes(db, principal, project, "label-studio"))
    assert tasks[1]["data"] == {"text": "some text"}
    assert tasks[1]["annotations"][0]["result"][0]["value"] == {"choices": ["cat", "dog"]}


def test_sft_messages_from_text_collection(db, principal):
    fields = [
        {"type": "category", "field_id": "quality", "title": "Q", "choices": ["ok"]},
        {"type": "text", "field_id": "answer", "title": "Answer"},
    ]
    project = new_project(db, principal, "textcollection", {"fields": fields})
    add_tasks(
        db,
        principal,
        project,
        "textcollection",
        [
            (
                {
                    "attachments": [
                        {"type": "text", "content": "What is 2+2?"},
                        {"type": "image", "content": "https://e.com/x.png"},
                    ]
                },
                {"fields": {"quality": "ok", "answer": "4"}},
            ),
            (
                {"instruction": "Write a haiku."},
                {"fields": {"quality": "ok", "answer": "Old pond"}},
            ),
        ],
    )
    lines = [json.loads(x) for x in export_bytes(db, principal, project, "sft").splitlines()]
    assert [x["messages"] for x in lines] == [
        [{"role": "user", "content": "What is 2+2?"}, {"role": "assistant", "content": "4"}],
        [
            {"role": "user", "content": "Write a haiku."},
            {"role": "assistant", "content": "Old pond"},
        ],
    ]


def test_dpo_pairs_chosen_against_each_other_response(db, principal, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from datasets import load_dataset

    project = new_project(db, principal, "comparison", {"allow_tie": True})
    responses = [
        {"id": "a", "content": "A!"},
        {"id": "b", "content": "B!", "model": "m2"},
        {"id": "c", "content": "C!"},
    ]
    add_tasks(
        db,
        principal,
        project,
        "comparison",
        [
            ({"prompt": "Say hi", "responses": responses}, {"chosen": "b"}),
            ({"prompt": "Tie", "responses": responses[:2]}, {"chosen": "tie"}),
        ],
    )
    rows = [json.loads(x) for x in export_bytes(db, principal, project, "dpo").splitlines()]
    assert [(r["prompt"], r["chosen"], r["rejected"]) for r in rows] == [
        ("Say hi", "B!", "A!"),
        ("Say hi", "B!", "C!"),
    ]
    path = export_file(db, principal, project, "hf", tmp_path / "cmp.parquet")
    ds = load_dataset("parquet", data_files=str(path), cache_dir=str(tmp_path / "c"))["train"]
    assert ds["chosen"] == ["b", "tie"] and ds[0]["responses"][1]["model"] == "m2"


def test_jsonl_is_completed_tasks_unless_include_pending(db, principal):
    project, ids, _ = image_project(db, principal)
    lines = [json.loads(x) for x in export_bytes(db, principal, project, "jsonl").splitlines()]
    assert [x["task_id"] for x in lines] == ids and lines[0]["project"] == project
    assert lines[0]["response"]["annotations"][0]["label"] == "car"
    everything = export_bytes(db, principal, project, "jsonl", include_pending=True).splitlines()
    assert len(everything) == 4 and json.loads(everything[3])["status"] == "pending"


def test_wrong_format_for_the_type_is_400_naming_supported_formats(db, principal):
    from labelworks.errors import InvalidRequest

    project = new_project(db, principal, "categorization", {"categories": ["a"]})
    with pytest.raises(InvalidRequest) as caught:
        export_bytes(db, principal, project, "coco")
    assert caught.value.status_code == 400 and caught.value.field == "format"
    for name in ("jsonl", "hf", "csv", "label-studio"):
        assert name in caught.value.message
    with pytest.raises(InvalidRequest):
        export_bytes(db, principal, project, "csv", include_pending=True)


def test_header_sizes_of_png_jpeg_gif():
    from labelworks.services.exports.images import image_size

    jpeg = (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        b"\xff\xc0\x00\x11\x08\x01\xe0\x02\x80\x03"
    )
    assert image_size(jpeg) == (640, 480)
    assert image_size(png_bytes(7, 3)) == (7, 3)
    assert image_size(b"GIF89a\x10\x00\x20\x00") == (16, 32)
    assert image_size(b"not an image") is None


# --- streaming on both databases: keyset chunks, the CLI, the API -------------------------------


def test_keyset_chunks_cover_every_task_once_in_order(backend):
    db, principal = backend.db, new_tenant(backend.db)
    project = new_project(db, principal, "categorization", {"categories": ["a", "b"]})
    ids = add_tasks(
        db,
        principal,
        project,
        "categorization",
        [({"attachment": f"https://e.com/{i}.png"}, {"category": "ab"[i % 2]}) for i in range(10)],
    )
    other = new_project(db, principal, "categorization", {"categories": ["a"]})
    add_tasks(db, principal, other, "categorization", [({"attachment": "x"}, {"category": "a"})])
    lines = export_bytes(db, principal, project, "jsonl", chunk=3).splitlines()
    assert [json.loads(x)["task_id"] for x in lines] == ids


def test_cli_export_writes_the_file_with_a_progress_bar(backend, tmp_path):
    db, principal = backend.db, new_tenant(backend.db)
    project, _ids, _ = image_project(db, principal)
    out = tmp_path / "out.json"
    from labelworks.services import breakglass, orgs

    with db.write() as session:  # an export is content: the operator needs a grant
        breakglass.grant(session, orgs.get_org(session, principal.org_name), "tests: export", 5)
    proc = cli(
        backend.env,
        "export",
        "--org",
        principal.org_name,
        "--project",
        project,
        "--format",
        "coco",
        "-o",
        str(out),
    )
    assert f"exported 3 task(s) to {out}" in proc.stdout
    assert len(json.loads(out.read_text())["images"]) == 3
    bad = cli(
        backend.env,
        "export",
        "--org",
        principal.org_name,
        "--project",
        project,
        "--format",
        "dpo",
        "-o",
        str(tmp_path / "x"),
        check=False,
    )
    assert bad.returncode == 2 and "supported formats: jsonl, hf, coco" in bad.stderr
    assert not (tmp_path / "x").exists()


def test_api_export_streams_and_another_orgs_project_is_404(server, tmp_path):
    from pycocotools.coco import COCO

    backend = server.backend
    name, key = backend.new_org()
    with backend.db.read() as session:
        from labelworks.services.orgs import get_org

        org = get_org(session, name)
    principal = Principal(org.id, org.name)
    project, _ids, _ = image_project(backend.db, principal)
    _, other_key = backend.new_org()
    url = f"{server.v1}/projects/{project}/export"
    with httpx.stream("GET", url, params={"format": "coco"}, auth=(key, ""), timeout=30) as r:
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        assert "attachment" in r.headers["content-disposition"]
        path = tmp_path / "api.json"
        with path.open("wb") as f:
            for piece in r.iter_bytes():
                f.write(piece)
    assert len(COCO(str(path)).getImgIds()) == 3
    r = httpx.get(url, params={"format": "hf"}, auth=(key, ""), timeout=30)
    assert r.status_code == 200 and r.content[:4] == b"PAR1"
    r = httpx.get(url, params={"format": "jsonl", "include_pending": "true"}, auth=(key, ""))
    assert len(r.text.splitlines()) == 4
    stolen = httpx.get(url, params={"format": "coco"}, auth=(other_key, ""))
    assert stolen.status_code == 404 and stolen.json()["error"] == f"no project named {project!r}"
    bad = httpx.get(url, params={"format": "conll"}, auth=(key, ""))
    assert bad.status_code == 400 and "supported formats" in bad.json()["error"]
    assert httpx.get(url, params={"format": "coco"}).status_code == 401
