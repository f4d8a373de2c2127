"""The workspace's worker API: holding a few leases, releasing unused ones, idempotent submit.
Live server on SQLite and PostgreSQL, bearer tokens (as any worker client)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.workforce.conftest import make_worker

CATS = ["cat", "dog"]


def _project(api: httpx.Client, n: int, **settings) -> tuple[str, list[str]]:
    name = f"q-{uuid.uuid4().hex[:8]}"
    body = {"name": name, "type": "categorization", "params": {"categories": CATS, **settings}}
    assert api.post("/projects", json=body).status_code == 200
    ids = []
    for i in range(n):
        r = api.post(
            "/task/categorization",
            json={"project": name, "attachment": f"https://e.com/{i}.png"},
        )
        ids.append(r.json()["task_id"])
    return name, ids


def test_hold_tops_up_and_returns_held_leases_first(server, api):
    name, _ = _project(api, 4)
    w = make_worker(server)
    first = w.client.post("/work/queue", json={"project": name, "hold": 2}).json()["leases"]
    assert len(first) == 2
    assert all(lease["task"]["html"]["instruction"] == "" for lease in first)
    again = w.client.post("/work/queue", json={"project": name, "hold": 3}).json()["leases"]
    assert [x["assignment_id"] for x in again[:2]] == [x["assignment_id"] for x in first]
    assert len(again) == 3 and len({x["task"]["task_id"] for x in again}) == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"hold": 4}, "hold"),
        ({"hold": True}, "hold"),
        ({"stage": "x"}, "stage"),
        ({"project": 1}, "project"),
        ({"exclude": "1"}, "exclude"),
        ({"exclude": [True]}, "exclude"),
    ],
)
def test_hold_rejects_bad_input_naming_the_field(server, body, field):
    w = make_worker(server)
    r = w.client.post("/work/queue", json=body)
    assert r.status_code == 400 and r.json()["error"].startswith(field)


def test_release_gives_unused_leases_back(server, api):
    name, [task] = _project(api, 1)
    a, b = make_worker(server), make_worker(server)
    [lease] = a.client.post("/work/queue", json={"project": name, "hold": 2}).json()["leases"]
    assert b.next(name).status_code == 204  # overlap 1: the only slot is held
    r = a.client.post(
        "/work/queue/release", json={"assignment_ids": [lease["assignment_id"], 999999]}
    )
    assert r.json() == {"released": [lease["assignment_id"]]}
    got = b.next(name).json()
    assert got["task"]["task_id"] == task
    bad = a.client.post("/work/queue/release", json={"assignment_ids": ["x"]})
    assert bad.status_code == 400 and bad.json()["error"].startswith("assignment_ids")


def test_resubmitting_the_same_answer_succeeds_once(server, api):
    name, [task] = _project(api, 1, overlap=2)
    w = make_worker(server)
    [lease] = w.client.post("/work/queue", json={"project": name, "hold": 1}).json()["leases"]
    url = f"/work/queue/{lease['assignment_id']}/submit"
    body = {"response": {"category": "dog"}}
    first = w.client.post(url, json=body)
    assert first.status_code == 200 and "replayed" not in first.json()
    second = w.client.post(url, json=body)
    assert second.status_code == 200 and second.json()["replayed"] is True
    different = w.client.post(url, json={"response": {"category": "cat"}})
    assert different.status_code == 409
    assert w.me()["labels_done"] == 1
    # One label counted: the task still waits for its second annotator.
    assert api.get(f"/task/{task}").json()["status"] == "pending"


def test_review_reject_needs_a_reason(server, api):
    name, [task] = _project(api, 1, review=True)
    annotator, reviewer = make_worker(server), make_worker(server, "reviewer")
    lease = annotator.next(name).json()
    annotator.submit(lease["assignment_id"], {"response": {"category": "cat"}})
    [review] = reviewer.client.post(
        "/work/queue", json={"project": name, "hold": 1, "stage": "review"}
    ).json()["leases"]
    assert review["task"]["consensus"] == {"category": "cat"}
    url = f"/work/queue/{review['assignment_id']}/submit"
    r = reviewer.client.post(url, json={"decision": "reject", "reason": "  "})
    assert r.status_code == 400 and r.json()["error"].startswith("reason")
    r = reviewer.client.post(url, json={"decision": "reject", "reason": "wrong animal"})
    assert r.status_code == 200 and r.json()["task_status"] == "pending"
    again = reviewer.client.post(url, json={"decision": "reject", "reason": "wrong animal"})
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert api.get(f"/task/{task}").json()["status"] == "pending"
    from labelworks.services.work.prefetch import review_reason

    with server.backend.db.read() as session:
        assert review_reason(session, review["assignment_id"]) == "wrong animal"


def test_server_drafts_come_back_with_the_lease(server, api):
    name, _ = _project(api, 1)
    w = make_worker(server)
    [lease] = w.client.post("/work/queue", json={"project": name, "hold": 1}).json()["leases"]
    assert "draft" not in lease
    url = f"/work/queue/{lease['assignment_id']}/draft"
    assert w.client.put(url, json={"nope": 1}).status_code == 400
    r = w.client.put(url, json={"response": {"category": "dog"}})
    assert r.status_code == 200 and r.json()["saved_at"]
    [again] = w.client.post("/work/queue", json={"project": name, "hold": 1}).json()["leases"]
    assert again["draft"] == {"category": "dog"}
    # Nobody else's lease: not found; a submitted lease takes no more drafts.
    other = make_worker(server)
    assert other.client.put(url, json={"response": {}}).status_code == 404
    submit = f"/work/queue/{lease['assignment_id']}/submit"
    assert w.client.post(submit, json={"response": {"category": "dog"}}).status_code == 200
    assert w.client.put(url, json={"response": {"category": "cat"}}).status_code == 409


def test_leases_being_submitted_do_not_count_against_the_prefetch(server, api):
    """After a submit the browser tops up before its submission lands: the lease it is sending
    is excluded, so a full set of new leases comes back instead of one short."""
    name, _ = _project(api, 4)
    w = make_worker(server)
    first = w.client.post("/work/queue", json={"project": name, "hold": 2}).json()["leases"]
    sending = first[0]["assignment_id"]
    again = w.client.post(
        "/work/queue", json={"project": name, "hold": 2, "exclude": [sending]}
    ).json()["leases"]
    ids = [x["assignment_id"] for x in again]
    assert sending not in ids and len(ids) == 2
    assert ids[0] == first[1]["assignment_id"]  # the one still held comes first
    # Without `exclude` the submitted-but-unsent lease still counts: nothing new is leased.
    plain = w.client.post("/work/queue", json={"project": name, "hold": 3}).json()["leases"]
    assert {x["assignment_id"] for x in plain} == {sending, *ids}
