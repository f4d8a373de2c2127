"""The official `scaleapi` client against a live `labelworks serve`, on SQLite and PostgreSQL."""

from __future__ import annotations

import http.server
import io
import threading

import pytest
import scaleapi
from scaleapi.exceptions import (
    ScaleDuplicateResource,
    ScaleInvalidRequest,
    ScaleResourceNotFound,
    ScaleUnauthorized,
)
from scaleapi.tasks import TaskReviewStatus, TaskStatus, TaskType

CATS = ["red", "blue", "green"]


@pytest.fixture
def client(server, org) -> scaleapi.ScaleClient:
    return scaleapi.ScaleClient(org[1], api_instance_url=server.v1)


def _cat(client, project, batch=None, **kw):
    body = {
        "project": project,
        "attachment": "https://example.com/a.png",
        "attachment_type": "image",
        **kw,
    }
    if batch:
        body["batch"] = batch
    return client.create_task(TaskType.Categorization, **body)


def test_project_lifecycle_with_param_history(client):
    project = client.create_project(
        "colors", TaskType.Categorization, params={"categories": CATS, "instruction": "Pick one"}
    )
    assert project.name == "colors" and project.type == "categorization"
    assert project.version == 0 and project.instruction == "Pick one"
    updated = client.update_project("colors", instruction="Pick the main color")
    assert updated.version == 1 and updated.instruction == "Pick the main color"
    assert client.get_project("colors").params["categories"] == CATS
    assert [p.name for p in client.projects()] == ["colors"]
    assert [p.name for p in client.get_projects()] == ["colors"]
    with pytest.raises(ScaleDuplicateResource):
        client.create_project("colors", TaskType.Categorization, params={"categories": CATS})
    with pytest.raises(ScaleResourceNotFound):
        client.get_project("nope")


def test_task_defaults_come_from_project_and_task_params_win(client):
    client.create_project(
        "p", TaskType.Categorization, params={"categories": CATS, "instruction": "default"}
    )
    t1 = _cat(client, "p")
    assert t1.params["categories"] == CATS and t1.instruction == "default"
    t2 = _cat(client, "p", categories=["x", "y"], instruction="own")
    assert t2.params["categories"] == ["x", "y"] and t2.instruction == "own"


def test_batch_lifecycle(client):
    # An ordinary project's batch is in progress at once (as in Scale); tasks join it while open.
    client.create_project("p", TaskType.Categorization, params={"categories": CATS})
    batch = client.create_batch("p", "b1", metadata={"k": 1})
    assert batch.status == "in_progress" and batch.project == "p" and batch.metadata == {"k": 1}
    for _ in range(3):
        _cat(client, "p", batch="b1")
    with pytest.raises(ScaleDuplicateResource):
        client.create_batch("p", "b1")
    assert client.batch_status("b1")["status"] == "in_progress"
    finalized = client.finalize_batch("b1")
    assert finalized.status == "in_progress"
    status = client.batch_status("b1")
    assert status["pending"] == 3 and status["completed"] == 0
    _cat(client, "p", batch="b1")
    assert client.batch_status("b1")["pending"] == 4
    assert client.get_batch("b1").metadata == {"k": 1}
    assert client.set_batch_metadata("b1", {"k": 2}).metadata == {"k": 2}
    client.create_batch("p", "b2")
    listed = client.batches(project="p", limit=1)
    assert listed.total == 2 and len(listed.docs) == 1 and listed.has_more
    assert {b.name for b in client.get_batches(project_name="p")} == {"b1", "b2"}
    assert {
        b.name
        for b in client.get_batches(project_name="p", batch_status=scaleapi.BatchStatus.InProgress)
    } == {"b1", "b2"}


def test_staged_project_batches_open_on_finalize(client):
    client.create_project(
        "s", TaskType.Categorization, params={"categories": CATS, "staging": True}
    )
    batch = client.create_batch("s", "sb")
    assert batch.status == "staging"
    _cat(client, "s", batch="sb")
    assert client.finalize_batch("sb").status == "in_progress"
    # Finalizing an empty batch leaves it open (Scale), it is not completed.
    client.create_batch("s", "empty")
    assert client.finalize_batch("empty").status == "in_progress"
    assert client.get_batch("empty").status == "in_progress"
    client.cancel_task(_cat(client, "s", batch="empty").id)
    assert client.get_batch("empty").status == "completed"
    with pytest.raises(ScaleInvalidRequest, match="completed"):
        _cat(client, "s", batch="empty")


def test_task_operations(client):
    client.create_project("p", TaskType.Categorization, params={"categories": CATS})
    task = _cat(client, "p", unique_id="u-1", metadata={"a": 1}, tags=["x"])
    assert task.status == "pending" and task.unique_id == "u-1"
    fetched = client.get_task(task.id)
    assert fetched.metadata == {"a": 1} and fetched.tags == ["x"]
    with pytest.raises(ScaleDuplicateResource, match=task.id):
        _cat(client, "p", unique_id="u-1")
    assert client.set_task_metadata(task.id, {"b": 2}).metadata == {"b": 2}
    assert client.add_task_tags(task.id, ["y"]).tags == ["x", "y"]
    assert client.delete_task_tags(task.id, ["x"]).tags == ["y"]
    assert client.set_task_tags(task.id, ["z", "w"]).tags == ["z", "w"]
    assert client.update_task_unique_id(task.id, "u-2").unique_id == "u-2"
    # As in Scale, a key with no value is absent from the task object.
    cleared = client.clear_task_unique_id(task.id)
    assert "unique_id" not in cleared._json and "tags" in cleared._json
    other = _cat(client, "p", unique_id="u-3")
    with pytest.raises(ScaleDuplicateResource):
        client.update_task_unique_id(task.id, "u-3")
    canceled = client.cancel_task(other.id, clear_unique_id=True)
    assert canceled.status == "canceled" and "unique_id" not in canceled._json
    _cat(client, "p", unique_id="u-3")  # the cleared unique_id is free again
    with pytest.raises(ScaleInvalidRequest, match="completed"):
        client.audit_task(task.id, True, "ok")  # not completed yet
    with pytest.raises(ScaleResourceNotFound):
        client.get_task("000000000000000000000000")


def test_listing_filters_and_pagination(client):
    client.create_project("p", TaskType.Categorization, params={"categories": CATS})
    client.create_project("q", TaskType.Categorization, params={"categories": CATS})
    client.create_batch("p", "b")
    made = [
        _cat(client, "p", batch="b", unique_id=f"u{i}", tags=["even"] if i % 2 == 0 else ["odd"])
        for i in range(7)
    ]
    _cat(client, "q")
    client.cancel_task(made[0].id)
    page = client.tasks(project="p", limit=3)
    assert page.total == 7 and len(page.docs) == 3 and page.has_more and page.next_token
    walked = [t.id for t in client.get_tasks(project_name="p", limit=2)]
    assert walked == [t.id for t in reversed(made)]  # newest first, as Scale lists
    assert client.get_tasks_count(project_name="p", status=TaskStatus.Canceled) == 1
    assert client.get_tasks_count(project_name="p", status=TaskStatus.Pending) == 6
    assert client.get_tasks_count(batch_name="b", tags="even") == 4
    assert client.get_tasks_count(batch_name="b", tags=["even", "odd"]) == 0
    ids = [t.id for t in client.get_tasks(project_name="p", unique_id=["u1", "u2"])]
    assert ids == [made[2].id, made[1].id]
    assert client.get_tasks_count(project_name="p", unique_id="u3") == 1
    assert client.get_tasks_count(project_name="p", review_status=[TaskReviewStatus.Accepted]) == 0
    created = made[3].created_at
    assert client.get_tasks_count(project_name="p", created_after=created) >= 1
    assert client.get_tasks_count(project_name="p", created_after="2999-01-01") == 0
    limited = client.tasks(project="p", limited_response=True, limit=1).docs[0]
    assert set(limited.as_dict()) == {"task_id", "status", "metadata", "project"}


def test_every_supported_type_can_be_created(client):
    client.create_project(
        "img",
        TaskType.ImageAnnotation,
        params={"geometries": {"box": {"objects_to_annotate": ["car"]}}},
    )
    t = client.create_task(
        TaskType.ImageAnnotation,
        project="img",
        attachment="https://example.com/a.png",
        hypothesis={
            "annotations": [
                {"type": "box", "label": "car", "left": 1, "top": 2, "width": 3, "height": 4}
            ]
        },
    )
    assert t.params["hypothesis"]["annotations"][0]["label"] == "car"
    client.create_project(
        "ner", TaskType.NamedEntityRecognition, params={"labels": [{"name": "PER"}]}
    )
    client.create_task(TaskType.NamedEntityRecognition, project="ner", text="Ada Lovelace")
    client.create_project(
        "sft",
        TaskType.TextCollection,
        params={"fields": [{"type": "text", "field_id": "answer", "title": "Answer"}]},
    )
    client.create_task(
        TaskType.TextCollection,
        project="sft",
        attachments=[{"type": "text", "content": "Explain DNS"}],
    )
    client.create_project(
        "tr",
        TaskType.Transcription,
        params={"fields": [{"type": "text", "field_id": "text", "title": "T"}]},
    )
    client.create_task(
        TaskType.Transcription,
        project="tr",
        attachments=[{"type": "image", "content": "https://example.com/a.png"}],
    )
    client.create_project("cmp", TaskType.Comparison, params={})
    client.create_task(
        TaskType.Comparison,
        project="cmp",
        prompt="Hi?",
        responses=[{"id": "a", "content": "Hello"}, {"id": "b", "content": "Yo"}],
    )
    with pytest.raises(ScaleInvalidRequest, match="supported types"):
        client.create_task(TaskType.LidarAnnotation, project="img", attachment="x")


def test_wrong_type_for_project_is_rejected(client):
    client.create_project("p", TaskType.Categorization, params={"categories": CATS})
    with pytest.raises(ScaleInvalidRequest, match="categorization"):
        client.create_task(
            TaskType.NamedEntityRecognition, project="p", text="x", labels=[{"name": "A"}]
        )


def test_files_upload_and_import(client, server, tmp_path):
    uploaded = client.upload_file(io.BytesIO(b"\x89PNG fake image"), display_name="x")
    assert uploaded.attachment_url.endswith(f"/v1/files/{uploaded.id}/content")
    import httpx

    content = httpx.get(uploaded.attachment_url, auth=(client.api.api_key, "")).content
    assert content == b"\x89PNG fake image"
    assert httpx.get(uploaded.attachment_url).status_code == 401

    # PNG magic: the stored type is sniffed from the bytes, and the task says "image".
    (tmp_path / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\nimported bytes")

    def handler(*a):
        return http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path))

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        imported = client.import_file(f"http://127.0.0.1:{httpd.server_port}/pic.png")
        got = httpx.get(imported.attachment_url, auth=(client.api.api_key, "")).content
        assert got == b"\x89PNG\r\n\x1a\nimported bytes"
        client.create_project("p", TaskType.Categorization, params={"categories": CATS})
        task = _cat(client, "p", attachment=imported.attachment_url)
        assert task.params["attachment"] == imported.attachment_url
    finally:
        httpd.shutdown()
    with pytest.raises(ScaleInvalidRequest, match="file_url"):
        client.import_file("ftp://example.com/x")


def test_bad_key_is_unauthorized(server):
    bad = scaleapi.ScaleClient("live_nope", api_instance_url=server.v1)
    with pytest.raises(ScaleUnauthorized):
        bad.projects()
