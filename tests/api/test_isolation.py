"""Cross-org isolation: org B's key gets 404 for each of org A's objects and sees none in lists."""

from __future__ import annotations

import time

import httpx
import pytest


@pytest.fixture
def org_a_objects(api: httpx.Client) -> dict[str, str]:
    assert (
        api.post(
            "/projects",
            json={
                "name": "secret-project",
                "type": "categorization",
                "params": {"categories": ["a", "b"]},
            },
        ).status_code
        == 200
    )
    assert (
        api.post("/batches", json={"name": "secret-batch", "project": "secret-project"}).status_code
        == 200
    )
    task = api.post(
        "/task/categorization",
        json={
            "project": "secret-project",
            "batch": "secret-batch",
            "attachment": "https://e.com/x.png",
            "unique_id": "shared-uid",
            "tags": ["t"],
        },
    ).json()
    file = api.post("/files/upload", files={"file": ("a.txt", b"private bytes")}).json()
    return {"task": task["task_id"], "file": file["id"]}


def _routes(objs: dict[str, str]) -> list[tuple[str, str, object]]:
    t, f, b, p = objs["task"], objs["file"], "secret-batch", "secret-project"
    return [
        ("GET", f"/task/{t}", None),
        ("POST", f"/task/{t}/cancel", None),
        ("POST", f"/task/{t}/audit", {"accepted": True}),
        ("POST", f"/task/{t}/unique_id", {"unique_id": "mine"}),
        ("DELETE", f"/task/{t}/unique_id", None),
        ("POST", f"/task/{t}/setMetadata", {"x": 1}),
        ("POST", f"/task/{t}/tags", ["a"]),
        ("PUT", f"/task/{t}/tags", ["a"]),
        ("DELETE", f"/task/{t}/tags", ["t"]),
        ("GET", f"/batches/{b}", None),
        ("POST", f"/batches/{b}/finalize", None),
        ("GET", f"/batches/{b}/status", None),
        ("POST", f"/batches/{b}/setMetadata", {"x": 1}),
        ("GET", f"/projects/{p}", None),
        ("POST", f"/projects/{p}/setParams", {"instruction": "x"}),
        ("GET", f"/files/{f}", None),
        ("GET", f"/files/{f}/content", None),
        ("POST", "/task/categorization", {"project": p, "attachment": "https://e.com/x.png"}),
        ("POST", "/batches", {"name": "mine", "project": p}),
        ("GET", f"/tasks?project={p}", None),
        ("GET", f"/tasks?batch={b}", None),
        ("GET", f"/batches?project={p}", None),
    ]


def test_other_orgs_objects_are_404_on_every_route(server, api, org_a_objects):
    _, key_b = server.backend.new_org("b")
    before = api.get(f"/task/{org_a_objects['task']}").json()
    with httpx.Client(base_url=server.v1, auth=(key_b, ""), timeout=30) as b:
        for method, path, body in _routes(org_a_objects):
            r = b.request(method, path, json=body)
            assert r.status_code == 404, (method, path, r.status_code, r.text)
            assert "secret" not in r.json()["error"] or "no " in r.json()["error"]
    after = api.get(f"/task/{org_a_objects['task']}").json()
    assert after == before  # nothing B tried changed A's task


def test_other_org_sees_nothing_in_lists(server, api, org_a_objects):
    _, key_b = server.backend.new_org("b")
    with httpx.Client(base_url=server.v1, auth=(key_b, ""), timeout=30) as b:
        assert b.get("/tasks").json()["total"] == 0
        assert b.get("/tasks", params={"unique_id": "shared-uid"}).json()["docs"] == []
        assert b.get("/tasks", params={"tags": "t"}).json()["total"] == 0
        assert b.get("/batches").json()["totalDocs"] == 0
        assert b.get("/projects").json() == []
        # Names and unique_ids are per org: B may reuse A's.
        assert (
            b.post(
                "/projects",
                json={
                    "name": "secret-project",
                    "type": "categorization",
                    "params": {"categories": ["x"]},
                },
            ).status_code
            == 200
        )
        r = b.post(
            "/task/categorization",
            json={
                "project": "secret-project",
                "attachment": "https://e.com/y.png",
                "unique_id": "shared-uid",
            },
        )
        assert r.status_code == 200
    assert api.get("/tasks").json()["total"] == 1


def test_revoked_key_is_401(server, org):
    from tests.conftest import cli

    name, _ = org
    second = cli(server.backend.env, "key", "create", "--org", name).stdout.strip().splitlines()[-1]
    assert httpx.get(f"{server.v1}/projects", auth=(second, "")).status_code == 200
    listed = cli(server.backend.env, "key", "list", "--org", name).stdout
    assert second[:13] in listed and second not in listed
    cli(server.backend.env, "key", "revoke", second[:13], "--org", name)
    time.sleep(1.1)  # servers cache a key's principal for one second
    r = httpx.get(f"{server.v1}/projects", auth=(second, ""))
    assert r.status_code == 401 and r.json() == {
        "status_code": 401,
        "error": "invalid or revoked API key",
    }
