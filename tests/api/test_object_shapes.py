"""Task, batch and project JSON carry Scale's keys: a key with no value is absent, never null."""

from __future__ import annotations


def _no_nulls(obj: dict) -> None:
    assert [k for k, v in obj.items() if v is None] == [], obj


def test_task_without_optional_values_has_no_such_keys(inproc_api) -> None:
    assert inproc_api.post("/projects", json={"name": "p", "type": "categorization"}).is_success
    made = inproc_api.post(
        "/task/categorization",
        json={"project": "p", "attachment": "a", "categories": ["x", "y"], "unique_id": "u1"},
    )
    assert made.status_code == 200, made.text
    task = made.json()
    _no_nulls(task)
    for key in ("tags", "callback_url", "completed_at", "batch", "response"):
        assert key not in task, key
    assert task["unique_id"] == "u1" and task["project"] == "p" and task["audits"] == []

    cleared = inproc_api.delete(f"/task/{task['task_id']}/unique_id").json()
    assert "unique_id" not in cleared
    tagged = inproc_api.post(f"/task/{task['task_id']}/tags", json=["t"]).json()
    assert tagged["tags"] == ["t"]
    untagged = inproc_api.request("DELETE", f"/task/{task['task_id']}/tags", json=["t"]).json()
    assert "tags" not in untagged
    _no_nulls(inproc_api.get(f"/task/{task['task_id']}").json())
    for doc in inproc_api.get("/tasks").json()["docs"]:
        _no_nulls(doc)


def test_batch_and_project_have_no_null_keys(inproc_api) -> None:
    assert inproc_api.post("/projects", json={"name": "p", "type": "categorization"}).is_success
    batch = inproc_api.post("/batches", json={"project": "p", "name": "b"}).json()
    _no_nulls(batch)
    assert batch["callback"] == ""  # the client always sends it; "" means none
    _no_nulls(inproc_api.get("/projects/p").json())
