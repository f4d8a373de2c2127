"""A batch's `callback` fires once, when its last task completes."""

from __future__ import annotations

from tests.delivery.conftest import CATEGORIES, complete, create_tasks, wait_until


def make_batch(api, name: str, callback: str) -> None:
    assert (
        api.post(
            "/projects", json={"name": name, "type": "categorization", "params": CATEGORIES}
        ).status_code
        == 200
    )
    r = api.post("/batches", json={"name": name, "project": name, "callback": callback})
    assert r.status_code == 200, r.text


def test_batch_callback_fires_when_its_last_task_completes(api, receiver, db):
    url = receiver.url()
    make_batch(api, "b1", url)
    first, last = create_tasks(api, None, n=2, project="b1", batch="b1")
    assert api.post("/batches/b1/finalize").status_code == 200
    complete(db, [first])
    assert api.get("/batches/b1/deliveries").json()["deliveries"] == []
    complete(db, [last])
    [request] = receiver.wait_for(url, 1)
    body = request.json
    assert body["batch"]["name"] == "b1" and body["batch"]["status"] == "completed"
    assert body["status"]["completed"] == 2 and body["status"]["pending"] == 0
    assert "scale-callback-auth" in request.headers
    wait_until(
        lambda: api.get("/batches/b1/deliveries").json()["deliveries"][0]["status"] == "succeeded"
    )


def test_email_batch_callback_is_recorded_as_skipped(api, db):
    make_batch(api, "b2", "ops@example.com")
    [task_id] = create_tasks(api, None, project="b2", batch="b2")
    assert api.post("/batches/b2/finalize").status_code == 200
    complete(db, [task_id])
    [delivery] = api.get("/batches/b2/deliveries").json()["deliveries"]
    assert delivery["status"] == "skipped" and "email" in delivery["last_error"]
