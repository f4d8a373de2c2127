"""Bad input on every write route gets the right 4xx naming the field, and changes nothing."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import create_engine, text

TABLES = ("projects", "project_param_versions", "batches", "tasks", "task_tags", "files")
IMG = "https://e.com/a.png"


@pytest.fixture
def seeded(api: httpx.Client) -> dict[str, str]:
    api.post(
        "/projects",
        json={"name": "p", "type": "categorization", "params": {"categories": ["a", "b"]}},
    ).raise_for_status()
    api.post(
        "/projects",
        json={
            "name": "img",
            "type": "imageannotation",
            "params": {"geometries": {"box": {"objects_to_annotate": ["car"]}}},
        },
    ).raise_for_status()
    api.post("/batches", json={"name": "open", "project": "p"}).raise_for_status()
    api.post("/batches", json={"name": "done", "project": "p"}).raise_for_status()
    # A batch is completed once it has tasks and none is pending (an empty one stays open).
    last = api.post(
        "/task/categorization", json={"project": "p", "batch": "done", "attachment": IMG}
    ).json()
    api.post(f"/task/{last['task_id']}/cancel").raise_for_status()
    assert api.get("/batches/done").json()["status"] == "completed"
    task = api.post(
        "/task/categorization", json={"project": "p", "attachment": IMG, "unique_id": "taken"}
    ).json()
    return {"task": task["task_id"]}


def counts(database_url: str) -> dict[str, int]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}
    finally:
        engine.dispose()


CASES = [
    # (method, path, json body or raw bytes, status, text the error must contain)
    # Projectless (Scale allows it): the type's params are still required.
    ("POST", "/task/categorization", {"attachment": IMG}, 400, "categories"),
    ("POST", "/task/categorization", {"project": 5, "attachment": IMG}, 400, "project"),
    ("POST", "/task/categorization", {"project": "p"}, 400, "attachment"),
    ("POST", "/task/categorization", {"project": "p", "attachment": 5}, 400, "attachment"),
    (
        "POST",
        "/task/categorization",
        {"project": "p", "attachment": IMG, "categories": []},
        400,
        "categories",
    ),
    (
        "POST",
        "/task/categorization",
        {"project": "p", "attachment": IMG, "allow_multiple": "yes"},
        400,
        "allow_multiple",
    ),
    (
        "POST",
        "/task/categorization",
        {"project": "p", "attachment": IMG, "metadata": [1]},
        400,
        "metadata",
    ),
    (
        "POST",
        "/task/categorization",
        {"project": "p", "attachment": IMG, "tags": [1]},
        400,
        "tags.0",
    ),
    (
        "POST",
        "/task/categorization",
        {"project": "p", "attachment": IMG, "priority": "hi"},
        400,
        "priority",
    ),
    (
        "POST",
        "/task/categorization",
        {"project": "p", "attachment": IMG, "callback_url": "ftp://x"},
        400,
        "callback_url",
    ),
    (
        "POST",
        "/task/categorization",
        {"project": "p", "attachment": IMG, "unique_id": "taken"},
        409,
        "taken",
    ),
    (
        "POST",
        "/task/categorization",
        {"project": "p", "batch": "done", "attachment": IMG},
        400,
        "batch",
    ),
    ("POST", "/task/categorization", {"project": "nope", "attachment": IMG}, 404, "nope"),
    ("POST", "/task/lidar", {"project": "p"}, 400, "supported types"),
    (
        "POST",
        "/task/imageannotation",
        {"project": "p", "attachment": IMG, "geometries": {"box": {"objects_to_annotate": ["c"]}}},
        400,
        "type",
    ),
    (
        "POST",
        "/task/imageannotation",
        {"project": "img", "attachment": IMG, "geometries": {}},
        400,
        "geometries",
    ),
    (
        "POST",
        "/task/imageannotation",
        {
            "project": "img",
            "attachment": IMG,
            "hypothesis": {
                "annotations": [
                    {"type": "box", "label": "car", "left": 0, "top": 0, "width": -3, "height": 2}
                ]
            },
        },
        400,
        "hypothesis",
    ),
    ("POST", "/task/categorization", b"{not json", 400, "malformed JSON"),
    ("POST", "/task/categorization", b"[1, 2]", 400, "body"),
    ("POST", "/task/categorization", b"x" * (11 * 1024 * 1024), 413, "larger"),
    ("POST", "/projects", {"name": "a/b", "type": "categorization"}, 400, "name"),
    ("POST", "/projects", {"name": "", "type": "categorization"}, 400, "name"),
    ("POST", "/projects", {"name": "x", "type": "lidar"}, 400, "supported types"),
    ("POST", "/projects", {"name": "x"}, 400, "type"),
    ("POST", "/projects", {"name": "p", "type": "categorization"}, 409, "p"),
    (
        "POST",
        "/projects",
        {"name": "x", "type": "categorization", "params": {"categories": []}},
        400,
        "params.categories",
    ),
    (
        "POST",
        "/projects",
        {"name": "x", "type": "categorization", "params": {"overlap": 0}},
        400,
        "params.overlap",
    ),
    (
        "POST",
        "/projects",
        {"name": "x", "type": "categorization", "params": {"bogus": 1}},
        400,
        "params.bogus",
    ),
    ("POST", "/projects/p/setParams", {"categories": "red"}, 400, "params.categories"),
    ("POST", "/projects/p/setParams", {"gold_rate": 2}, 400, "params.gold_rate"),
    ("POST", "/batches", {"name": "open", "project": "p"}, 409, "open"),
    ("POST", "/batches", {"name": "new"}, 400, "project"),
    ("POST", "/batches", {"name": "a/b", "project": "p"}, 400, "name"),
    ("POST", "/batches", {"name": "new", "project": "p", "metadata": "x"}, 400, "metadata"),
    (
        "POST",
        "/batches",
        {"name": "new", "project": "p", "callback": "javascript:x"},
        400,
        "callback",
    ),
    ("POST", "/batches/open/setMetadata", [1], 400, "metadata"),
    ("POST", "/task/{task}/setMetadata", "str", 400, "metadata"),
    ("POST", "/task/{task}/tags", {"a": 1}, 400, "tags"),
    ("POST", "/task/{task}/unique_id", {}, 400, "unique_id"),
    ("POST", "/task/{task}/unique_id", {"unique_id": ""}, 400, "unique_id"),
    ("POST", "/task/{task}/audit", {"accepted": "yes"}, 400, "accepted"),
    ("POST", "/files/import", {"file_url": "file:///etc/passwd"}, 400, "file_url"),
    ("POST", "/files/import", {}, 400, "file_url"),
    ("POST", "/files/upload", None, 400, "file"),
    ("GET", "/tasks?limit=0", None, 400, "limit"),
    ("GET", "/tasks?limit=101", None, 400, "limit"),
    ("GET", "/tasks?limit=abc", None, 400, "limit"),
    ("GET", "/tasks?next_token=Zm9yZ2Vk", None, 400, "next_token"),
    ("GET", "/tasks?status=done", None, 400, "status"),
    ("GET", "/tasks?start_time=yesterday", None, 400, "start_time"),
    ("GET", "/tasks?customer_review_status=meh", None, 400, "customer_review_status"),
    ("GET", "/batches?limit=500", None, 400, "limit"),
]


@pytest.mark.parametrize(
    "method,path,body,status,needle",
    CASES,
    ids=[f"{c[0]} {c[1]} {c[3]} {c[4]}"[:80] for c in CASES],
)
def test_bad_input_is_rejected_and_changes_nothing(
    server, api, seeded, method, path, body, status, needle
):
    path = path.replace("{task}", seeded["task"])
    before = counts(server.backend.database_url)
    if isinstance(body, bytes):
        r = api.request(method, path, content=body, headers={"content-type": "application/json"})
    else:
        r = api.request(method, path, json=body)
    assert r.status_code == status, r.text
    payload = r.json()
    assert payload["status_code"] == status
    assert needle in payload["error"], payload
    assert counts(server.backend.database_url) == before


def test_unicode_names_work_through_quoted_paths(api):
    import urllib.parse

    name = "Проект ✓ 猫"
    assert (
        api.post(
            "/projects",
            json={"name": name, "type": "categorization", "params": {"categories": ["a"]}},
        ).status_code
        == 200
    )
    quoted = urllib.parse.quote(name, safe="")
    assert api.get(f"/projects/{quoted}").json()["name"] == name


def test_private_url_import_is_refused_without_the_override(tmp_path):
    from tests.conftest import Backend, make_backend, start_server, stop_server

    backend: Backend = make_backend("sqlite", tmp_path)
    backend.env["LABELWORKS_ALLOW_PRIVATE_URLS"] = "0"
    server = start_server(backend)
    try:
        _, key = backend.new_org()
        for url in (
            "http://127.0.0.1:1/x",
            "http://10.0.0.1/x",
            "http://169.254.169.254/latest",
            "http://[::1]/x",
            "http://localhost/x",
        ):
            r = httpx.post(f"{server.v1}/files/import", json={"file_url": url}, auth=(key, ""))
            assert r.status_code == 400 and "non-public" in r.json()["error"], (url, r.text)
    finally:
        stop_server(server)
