"""The work queue and worker API against a live server, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
import scaleapi
from scaleapi.tasks import TaskType

from tests.conftest import start_server, stop_server
from tests.workforce.conftest import make_worker, set_rates

CATS = ["cat", "dog", "bird"]


def _name(prefix: str = "p") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def client(server, org) -> scaleapi.ScaleClient:
    return scaleapi.ScaleClient(org[1], api_instance_url=server.v1)


def _project(client, name, **settings):
    client.create_project(name, TaskType.Categorization, params={"categories": CATS, **settings})


def _tasks(client, project, n, **kw):
    return [
        client.create_task(
            TaskType.Categorization,
            project=project,
            attachment=f"https://e.com/{i}.png",
            unique_id=f"{project}-{i}",
            metadata={"secret": "customer-only"},
            callback_url="https://customer.example/cb",
            **kw,
        )
        for i in range(n)
    ]


def test_end_to_end_scaleapi_to_consensus(client, worker_factory):
    name = _name()
    _project(client, name, overlap=3)
    [task] = _tasks(client, name, 1)
    answers = ["dog", "dog", "cat"]
    for answer in answers:
        w = worker_factory()
        r = w.next(name)
        assert r.status_code == 200
        lease = r.json()
        assert lease["task"]["task_id"] == task.id
        assert (
            w.submit(lease["assignment_id"], {"response": {"category": answer}}).status_code == 200
        )
    done = client.get_task(task.id)
    assert done.status == "completed" and done.response == {"category": "dog"}
    assert done.completed_at is not None


def test_worker_sees_no_customer_identity(client, worker_factory, org):
    name = _name()
    _project(client, name)
    _tasks(client, name, 1)
    lease = worker_factory().next(name).json()
    text = str(lease)
    for secret in ("customer-only", "customer.example", f"{name}-0", org[0]):
        assert secret not in text
    assert set(lease["task"]) <= {"task_id", "type", "instruction", "params", "hypothesis"}
    assert lease["task"]["params"]["categories"] == CATS


def test_never_the_same_annotator_twice_and_204_when_empty(client, worker_factory):
    name = _name()
    _project(client, name, overlap=2)
    made = _tasks(client, name, 3)
    w = worker_factory()
    seen = []
    while (r := w.next(name)).status_code == 200:
        lease = r.json()
        seen.append(lease["task"]["task_id"])
        w.submit(lease["assignment_id"], {"response": {"category": "cat"}}).raise_for_status()
    assert r.status_code == 204
    assert sorted(seen) == sorted(t.id for t in made)
    other = worker_factory()
    assert len([other.next(name) for _ in range(3)]) == 3  # the second label of each


def test_priority_then_age(client, worker_factory):
    name = _name()
    _project(client, name)
    low = _tasks(client, name, 2)
    high = client.create_task(
        TaskType.Categorization, project=name, attachment="https://e/h", priority=30
    )
    w = worker_factory()
    order = []
    for _ in range(3):
        lease = w.next(name).json()
        order.append(lease["task"]["task_id"])
        w.submit(lease["assignment_id"], {"response": {"category": "cat"}})
    assert order == [high.id, low[0].id, low[1].id]


def test_staging_batch_is_not_served_until_finalized(client, worker_factory):
    name = _name()
    _project(client, name, staging=True)
    client.create_batch(name, f"{name}-b")
    client.create_task(
        TaskType.Categorization, project=name, batch=f"{name}-b", attachment="https://e/x"
    )
    w = worker_factory()
    assert w.next(name).status_code == 204
    client.finalize_batch(f"{name}-b")
    lease = w.next(name).json()
    w.submit(lease["assignment_id"], {"response": {"category": "bird"}}).raise_for_status()
    assert client.batch_status(f"{name}-b")["completed"] == 1
    assert client.get_batch(f"{name}-b").status == "completed"


def test_ordinary_batch_is_served_at_once(client, worker_factory):
    name = _name()
    _project(client, name)
    assert client.create_batch(name, f"{name}-b").status == "in_progress"
    task = client.create_task(
        TaskType.Categorization, project=name, batch=f"{name}-b", attachment="https://e/x"
    )
    w = worker_factory()
    lease = w.next(name).json()
    assert lease["task"]["task_id"] == task.id
    w.submit(lease["assignment_id"], {"response": {"category": "bird"}}).raise_for_status()
    assert client.get_batch(f"{name}-b").status == "completed"


def test_bad_response_is_400_and_stores_nothing(client, worker_factory):
    name = _name()
    _project(client, name)
    [task] = _tasks(client, name, 1)
    w = worker_factory()
    lease = w.next(name).json()
    r = w.submit(lease["assignment_id"], {"response": {"category": "cow"}})
    assert r.status_code == 400 and "response.category" in r.json()["error"]
    r = w.submit(lease["assignment_id"], {"response": {}})
    assert r.status_code == 400 and "category" in r.json()["error"]
    assert client.get_task(task.id).status == "pending"
    assert w.submit(lease["assignment_id"], {"response": {"category": "cat"}}).status_code == 200
    assert w.submit(lease["assignment_id"], {"response": {"category": "cat"}}).status_code == 409
    assert client.get_task(task.id).status == "completed"


def test_skip_gives_the_task_to_someone_else(client, worker_factory):
    name = _name()
    _project(client, name)
    [task] = _tasks(client, name, 1)
    a, b = worker_factory(), worker_factory()
    lease = a.next(name).json()
    assert b.next(name).status_code == 204  # held by a
    assert a.client.post(f"/work/assignments/{lease['assignment_id']}/skip").status_code == 200
    assert a.next(name).status_code == 204  # a skipped it: not served to a again
    assert b.next(name).json()["task"]["task_id"] == task.id


def test_someone_elses_assignment_is_404(client, worker_factory):
    name = _name()
    _project(client, name)
    _tasks(client, name, 1)
    a, b = worker_factory(), worker_factory()
    lease = a.next(name).json()
    r = b.submit(lease["assignment_id"], {"response": {"category": "cat"}})
    assert r.status_code == 404


def test_worker_api_needs_a_valid_token(server):
    assert httpx.post(f"{server.url}/work/next", json={}).status_code == 401
    r = httpx.post(f"{server.url}/work/next", json={}, headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    r = httpx.post(f"{server.url}/auth/login", json={"email": "x@y.z", "password": "wrong"})
    assert r.status_code == 401


def test_repeated_login_failures_are_rate_limited(server, worker_factory):
    w = worker_factory()
    codes = [
        httpx.post(
            f"{server.url}/auth/login", json={"email": w.email, "password": "wrong"}
        ).status_code
        for _ in range(12)
    ]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]


def test_review_reject_sends_task_back_then_accept_completes(client, worker_factory, org, server):
    name = _name()
    _project(client, name, review=True)
    set_rates(server, org[0], name, 0.10, 0.05)
    [task] = _tasks(client, name, 1)
    reviewer = worker_factory("reviewer")
    assert reviewer.next(name, stage="review").status_code == 204
    first = worker_factory()
    lease = first.next(name).json()
    first.submit(lease["assignment_id"], {"response": {"category": "cat"}}).raise_for_status()
    assert client.get_task(task.id).status == "pending"
    review = reviewer.next(name, stage="review").json()
    assert review["task"]["labels"][0]["response"] == {"category": "cat"}
    r = reviewer.submit(review["assignment_id"], {"decision": "reject"})
    assert r.status_code == 200
    assert first.next(name).status_code == 204  # not back to the same annotator
    second = worker_factory()
    lease = second.next(name).json()
    assert lease["task"]["task_id"] == task.id
    second.submit(lease["assignment_id"], {"response": {"category": "dog"}}).raise_for_status()
    other_reviewer = worker_factory("reviewer")
    review = other_reviewer.next(name, stage="review").json()
    other_reviewer.submit(review["assignment_id"], {"decision": "accept"}).raise_for_status()
    done = client.get_task(task.id)
    assert done.status == "completed" and done.response == {"category": "dog"}
    assert first.me()["earnings"] == 0 and first.me()["labels_rejected"] == 1
    assert second.me()["earnings"] == pytest.approx(0.10)
    assert reviewer.me()["earnings"] == pytest.approx(0.05)


def test_review_fix_uses_reviewer_answer(client, worker_factory):
    name = _name()
    _project(client, name, review=True)
    [task] = _tasks(client, name, 1)
    a = worker_factory()
    lease = a.next(name).json()
    a.submit(lease["assignment_id"], {"response": {"category": "cat"}}).raise_for_status()
    reviewer = worker_factory("reviewer")
    review = reviewer.next(name, stage="review").json()
    r = reviewer.submit(review["assignment_id"], {"decision": "fix", "response": {"category": "x"}})
    assert r.status_code == 400  # the fix is validated too
    r = reviewer.submit(
        review["assignment_id"], {"decision": "fix", "response": {"category": "bird"}}
    )
    assert r.status_code == 200
    assert client.get_task(task.id).response == {"category": "bird"}


def test_annotators_cannot_review(client, worker_factory):
    name = _name()
    _project(client, name, review=True)
    r = worker_factory().next(name, stage="review")
    assert r.status_code == 403


def test_gold_pauses_a_careless_annotator_not_a_good_one(client, worker_factory):
    name = _name()
    _project(client, name, gold_rate=1.0, min_gold_accuracy=0.7)
    golds = [
        client.create_evaluation_task(
            TaskType.Categorization,
            project=name,
            attachment=f"https://e/g{i}",
            expected_response={"category": "dog"},
        )
        for i in range(4)
    ]
    assert golds[0].expected_response == {"category": "dog"}
    _tasks(client, name, 6)
    good, careless = worker_factory(), worker_factory()
    served = {}
    for worker, answer in ((good, "dog"), (careless, "cat")):
        served[worker.email] = 0
        for _ in range(4):
            r = worker.next(name)
            if r.status_code == 204:
                break
            served[worker.email] += 1
            worker.submit(
                r.json()["assignment_id"], {"response": {"category": answer}}
            ).raise_for_status()
    assert served == {good.email: 4, careless.email: 3}  # paused after 3 wrong gold answers
    assert careless.me()["paused"] is True and careless.me()["gold_accuracy"] == 0.0
    assert careless.next(name).status_code == 204
    assert good.me()["paused"] is False and good.me()["gold_accuracy"] == 1.0
    assert good.next(name).status_code == 200  # real work keeps coming


def test_training_qualifies_before_real_work(client, worker_factory):
    name = _name()
    _project(client, name, require_training=True, training_pass_rate=1.0)
    training = client.create_training_task(
        TaskType.Categorization,
        project=name,
        attachment="https://e/t",
        expected_response={"category": "bird"},
    )
    [real] = _tasks(client, name, 1)
    fails, passes = worker_factory(), worker_factory()
    for worker, answer in ((fails, "cat"), (passes, "bird")):
        lease = worker.next(name).json()
        assert lease["task"]["task_id"] == training.id
        worker.submit(lease["assignment_id"], {"response": {"category": answer}}).raise_for_status()
    assert fails.next(name).status_code == 204
    assert passes.next(name).json()["task"]["task_id"] == real.id


def test_customer_audit_rejection_requeues(client, worker_factory):
    name = _name()
    _project(client, name)
    [task] = _tasks(client, name, 1)
    first = worker_factory()
    lease = first.next(name).json()
    first.submit(lease["assignment_id"], {"response": {"category": "cat"}}).raise_for_status()
    client.audit_task(task.id, False, "wrong animal")
    back = client.get_task(task.id)
    assert back.status == "pending" and back.customer_review_status == "rejected"
    assert first.next(name).status_code == 204
    second = worker_factory()
    lease = second.next(name).json()
    second.submit(lease["assignment_id"], {"response": {"category": "dog"}}).raise_for_status()
    assert client.get_task(task.id).response == {"category": "dog"}
    assert first.me()["labels_rejected"] == 1


def test_earnings_equal_accepted_work(client, worker_factory, org, server):
    name = _name()
    _project(client, name, overlap=2)
    set_rates(server, org[0], name, 0.25, 0.0)
    _tasks(client, name, 3)
    a, b = worker_factory(), worker_factory()
    for w in (a, b):
        while (r := w.next(name)).status_code == 200:
            w.submit(
                r.json()["assignment_id"], {"response": {"category": "cat"}}
            ).raise_for_status()
    assert a.me()["earnings"] == pytest.approx(0.75) and b.me()["earnings"] == pytest.approx(0.75)
    assert a.me()["labels_accepted"] == 3


def test_fair_share_spreads_work_across_orgs(server, worker_factory):
    name = _name("fair")
    clients = []
    for _ in range(2):
        _, key = server.backend.new_org("fair")
        c = scaleapi.ScaleClient(key, api_instance_url=server.v1)
        _project(c, name)
        clients.append(c)
    big = {t.id for t in _tasks(clients[0], name, 12)}
    small = {t.id for t in _tasks(clients[1], name, 4)}
    w = worker_factory()
    served = []
    for _ in range(8):
        lease = w.next(name).json()
        served.append("big" if lease["task"]["task_id"] in big else "small")
        assert lease["task"]["task_id"] in big | small
        w.submit(lease["assignment_id"], {"response": {"category": "cat"}}).raise_for_status()
    assert served.count("small") == 4  # not drained big-first


def test_expired_leases_come_back(backend, tmp_path):
    # The server's clock is moved past the lease (labelworks/clock.py) instead of sleeping.
    from labelworks import clock

    offset_file = tmp_path / "clock-offset"
    server = start_server(backend, extra_env={"LABELWORKS_CLOCK_OFFSET_FILE": str(offset_file)})
    try:
        _, key = backend.new_org()
        client = scaleapi.ScaleClient(key, api_instance_url=server.v1)
        name = _name()
        _project(client, name)
        [task] = _tasks(client, name, 1)
        a, b = make_worker(server), make_worker(server)
        lease = a.next(name).json()
        assert b.next(name).status_code == 204
        clock.write_offset_file(offset_file, 601)  # the default lease is 600 s
        time.sleep(0.1)  # the server re-reads the file every 50 ms
        assert b.next(name).json()["task"]["task_id"] == task.id
        late = a.submit(lease["assignment_id"], {"response": {"category": "cat"}})
        assert late.status_code == 409
        hb = a.client.post(f"/work/assignments/{lease['assignment_id']}/heartbeat")
        assert hb.status_code == 409
    finally:
        stop_server(server)


def test_customer_fixes_a_response_when_auditing(client, worker_factory, api):
    """A fix accepts the task with a corrected response, validated as a submission is; a bad fix
    changes nothing."""
    name = _name()
    _project(client, name)
    [task] = _tasks(client, name, 1)
    worker = worker_factory()
    lease = worker.next(name).json()
    worker.submit(lease["assignment_id"], {"response": {"category": "cat"}}).raise_for_status()
    url = f"/task/{task.id}/audit"
    bad = api.post(url, json={"accepted": True, "response": {"category": "zebra"}})
    assert bad.status_code == 400 and "category" in bad.json()["error"], bad.text
    assert api.post(url, json={"accepted": False, "response": {}}).status_code == 400
    assert api.post(url, json={"accepted": True, "response": [1]}).status_code == 400
    after_bad = api.get(f"/task/{task.id}").json()
    assert after_bad["response"] == {"category": "cat"} and after_bad["audits"] == []
    fixed = api.post(url, json={"accepted": True, "response": {"category": "dog"}, "comments": "x"})
    assert fixed.status_code == 200, fixed.text
    back = api.get(f"/task/{task.id}").json()
    assert back["status"] == "completed" and back["customer_review_status"] == "accepted"
    assert back["response"] == {"category": "dog"}
    assert back["audits"][-1]["fixed"] is True and back["audits"][-1]["comments"] == "x"
    events = api.get(f"/task/{task.id}/events").json()
    audited = [e for e in (events.get("events", events) if isinstance(events, dict) else events)]
    assert any(e.get("detail", {}).get("fixed") for e in audited if isinstance(e, dict)), events
