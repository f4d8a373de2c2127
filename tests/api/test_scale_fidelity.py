"""Scale behaviours existing client code relies on, through the official `scaleapi` client
against a live `labelworks serve`, on SQLite and PostgreSQL (issue 10: projectless tasks,
lenient params, newest-first order, test-mode keys, task templates)."""

from __future__ import annotations

import threading
import uuid

import httpx
import pytest
import scaleapi
from scaleapi.exceptions import ScaleInvalidRequest, ScaleResourceNotFound
from scaleapi.tasks import TaskType
from scaleapi.teams import TeammateRole
from sqlalchemy import select

from tests.conftest import cli
from tests.workforce.conftest import make_worker
from tests.workforce.test_queue_policies import _teammate

CATS = ["red", "blue", "green"]
IMAGE = "https://example.com/a.png"


def _client(server, key: str) -> scaleapi.ScaleClient:
    return scaleapi.ScaleClient(key, api_instance_url=server.v1)


@pytest.fixture
def client(server, org) -> scaleapi.ScaleClient:
    return _client(server, org[1])


@pytest.fixture
def test_client(server, org) -> scaleapi.ScaleClient:
    """A test-mode (`test_…`) key of the same org as `client`."""
    from labelworks.services import orgs

    with server.backend.db.write() as session:
        key = orgs.create_key(session, orgs.get_org(session, org[0]), test=True)
    assert key.startswith("test_")
    return _client(server, key)


def _task_row(server, task_id: str):
    from labelworks.db.tables import Task

    with server.backend.db.read() as session:
        task = session.scalar(select(Task).where(Task.task_id == task_id))
        session.expunge(task)
        return task


# --- 1. projectless tasks -------------------------------------------------------------------


def test_task_without_project_lists_filters_and_takes_its_type_defaults(client, server, org):
    task = client.create_task(
        TaskType.Categorization, attachment=IMAGE, categories=CATS, tags=["loose"]
    )
    assert task.as_dict().get("project") is None
    assert client.get_task(task.id).as_dict().get("project") is None
    other = client.create_task(TaskType.Categorization, attachment=IMAGE, categories=["a", "b"])
    # `get_tasks` insists on a project or batch; `tasks` takes the other filters as they are.
    listed = client.tasks(type="categorization").docs
    assert [t.id for t in listed] == [other.id, task.id]
    assert [t.id for t in client.tasks(tags="loose").docs] == [task.id]
    # The hidden default project is not listed, its name is reserved, and its params are the
    # defaults of every projectless task of the type.
    assert client.projects() == []
    with pytest.raises(ScaleInvalidRequest, match="reserved"):
        client.create_project("_default_categorization", TaskType.Categorization)
    # Configurable before its first task, too.
    assert (
        client.update_project("_default_namedentityrecognition", allow_overlapping=True).version
        == 1
    )
    client.update_project("_default_categorization", instruction="Pick the main color")
    third = client.create_task(TaskType.Categorization, attachment=IMAGE, categories=CATS)
    assert third.as_dict()["instruction"] == "Pick the main color"
    # A project-named task still shows its project; a missing one is still 404.
    client.create_project("colors", TaskType.Categorization, params={"categories": CATS})
    named = client.create_task(TaskType.Categorization, project="colors", attachment=IMAGE)
    assert named.as_dict()["project"] == "colors"
    with pytest.raises(ScaleResourceNotFound):
        client.create_task(TaskType.Categorization, project="nope", attachment=IMAGE)


def test_projectless_task_is_labelled_through_the_queue(client, server):
    """Served, labelled and completed like any task: the default project's params (a private
    team pool here, so no other org's work interferes) configure it."""
    task = client.create_task(TaskType.Categorization, attachment=IMAGE, categories=CATS)
    client.update_project("_default_categorization", pools=["team"])
    email = f"ann-{uuid.uuid4().hex[:8]}@example.com"
    client.invite_teammates([email], TeammateRole.Labeler)
    worker = _teammate(server, email)
    try:
        lease = worker.next("_default_categorization")
        assert lease.status_code == 200, lease.text
        assert lease.json()["task"]["task_id"] == task.id
        submit = worker.submit(lease.json()["assignment_id"], {"response": {"category": "blue"}})
        submit.raise_for_status()
    finally:
        worker.client.close()
    done = client.get_task(task.id)
    assert done.status == "completed" and done.response == {"category": "blue"}
    assert done.as_dict().get("project") is None


def test_projectless_tasks_export_through_their_default_project(client, test_client, server, org):
    import json

    live = client.create_task(TaskType.Categorization, attachment=IMAGE, categories=CATS)
    test = test_client.create_task(TaskType.Categorization, attachment=IMAGE, categories=CATS)
    path = "/projects/_default_categorization/export"
    params = {"format": "jsonl", "include_pending": "true"}
    with httpx.Client(base_url=server.v1, timeout=30) as http:
        lines = http.get(path, params=params, auth=(org[1], "")).text.splitlines()
        assert [json.loads(line)["task_id"] for line in lines] == [live.id]
        assert json.loads(lines[0]).get("project") is None
        test_key = test_client.api.api_key
        lines = http.get(path, params=params, auth=(test_key, "")).text.splitlines()
        assert [json.loads(line)["task_id"] for line in lines] == [test.id]


def test_concurrent_first_projectless_tasks_share_one_default_project(server):
    from concurrent.futures import ThreadPoolExecutor

    from labelworks.db.tables import Org, Project

    name, key = server.backend.new_org()

    def create(i: int) -> str:
        return (
            _client(server, key)
            .create_task(TaskType.Categorization, attachment=f"{IMAGE}?{i}", categories=CATS)
            .id
        )

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(create, range(8)))
    assert len(set(ids)) == 8
    with server.backend.db.read() as session:
        rows = session.scalars(
            select(Project.name).join(Org, Org.id == Project.org_id).where(Org.name == name)
        ).all()
    assert rows == ["_default_categorization"]
    assert _client(server, key).tasks(type="categorization").total == 8


# --- 2. parameters --------------------------------------------------------------------------


def test_unknown_params_are_ignored_with_a_warning_and_documented_ones_kept(client, server):
    client.create_project("p", TaskType.Categorization, params={"categories": CATS})
    task = client.create_task(
        TaskType.Categorization,
        project="p",
        attachment=IMAGE,
        force=True,
        category_ids={"red": "r1"},
        colour="red",
    )
    body = task.as_dict()
    assert body["warnings"] == ["unknown parameter 'colour' ignored"]
    assert body["params"]["category_ids"] == {"red": "r1"} and body["params"]["force"] is True
    assert "colour" not in body["params"]
    assert "warnings" not in client.get_task(task.id).as_dict()
    # Nested structures stay strict.
    with pytest.raises(ScaleInvalidRequest, match="geometries"):
        client.create_task(
            TaskType.ImageAnnotation,
            attachment=IMAGE,
            geometries={"box": {"objects_to_annotate": ["car"], "colour": "red"}},
        )
    with pytest.raises(ScaleInvalidRequest, match="categories"):
        client.create_task(TaskType.Categorization, attachment=IMAGE)


def test_scale_documented_params_of_each_type_are_accepted(client):
    created = [
        client.create_task(
            TaskType.ImageAnnotation,
            attachment=IMAGE,
            geometries={"box": {"objects_to_annotate": ["car"]}},
            padding=10,
            can_add_base_annotations=False,
            context_attachments=[{"attachment": IMAGE}],
            clear_unique_id_on_error=True,
        ),
        client.create_task(
            TaskType.NamedEntityRecognition,
            text="Ada went to Paris",
            labels=[{"name": "PER", "display_name": "Person"}],
        ),
        client.create_task(
            TaskType.TextCollection,
            attachments=[{"type": "text", "content": "Say hi"}],
            fields=[{"type": "text", "field_id": "a", "title": "Answer"}],
            urgency="day",
        ),
    ]
    assert all("warnings" not in t.as_dict() for t in created)


# --- 4. order -------------------------------------------------------------------------------


def test_tasks_and_batches_list_newest_first(client):
    client.create_project("p", TaskType.Categorization, params={"categories": CATS})
    ids = [
        client.create_task(TaskType.Categorization, project="p", attachment=IMAGE).id
        for _ in range(5)
    ]
    page = client.tasks(limit=3)
    assert [t.id for t in page.docs] == ids[::-1][:3]
    assert [t.id for t in client.get_tasks(project_name="p")] == ids[::-1]
    for name in ("b1", "b2", "b3"):
        client.create_batch("p", name)
    assert [b.name for b in client.batches(limit=2).docs] == ["b3", "b2"]
    assert [b.name for b in client.get_batches(project_name="p")] == ["b3", "b2", "b1"]


def test_paging_returns_each_task_once_while_tasks_are_created(client, server, org):
    client.create_project("p", TaskType.Categorization, params={"categories": CATS})
    before = {
        client.create_task(TaskType.Categorization, project="p", attachment=IMAGE).id
        for _ in range(25)
    }
    stop = threading.Event()
    made: list[str] = []

    def create() -> None:
        other = _client(server, org[1])
        while not stop.is_set():
            made.append(
                other.create_task(TaskType.Categorization, project="p", attachment=IMAGE).id
            )

    writer = threading.Thread(target=create)
    writer.start()
    try:
        seen: list[str] = []
        token = None
        while True:
            page = client.tasks(project="p", limit=4, next_token=token)
            seen += [t.id for t in page.docs]
            if not page.has_more:
                break
            token = page.next_token
    finally:
        stop.set()
        writer.join()
    assert made, "no task was created during the walk"
    assert len(seen) == len(set(seen))
    assert before <= set(seen)
    assert set(seen) <= before | set(made)


# --- 6. test-environment keys ---------------------------------------------------------------


def test_test_key_tasks_complete_at_once_with_a_placeholder(test_client, client, server):
    fields = [
        {"type": "text", "field_id": "t", "title": "T", "min_characters": 20},
        {"type": "number", "field_id": "n", "title": "N", "min": 3, "max": 9},
        {"type": "category", "field_id": "c", "title": "C", "choices": ["x", "y"]},
    ]
    cases = [
        (TaskType.Categorization, {"attachment": IMAGE, "categories": CATS}, {"category": "red"}),
        (
            TaskType.Categorization,
            {"attachment": IMAGE, "categories": CATS, "allow_multiple": True},
            {"category": ["red"]},
        ),
        (
            TaskType.ImageAnnotation,
            {"attachment": IMAGE, "geometries": {"box": {"objects_to_annotate": ["car"]}}},
            {"annotations": [], "global_attributes": {}},
        ),
        (
            TaskType.NamedEntityRecognition,
            {"text": "Ada", "labels": [{"name": "PER"}]},
            {"annotations": []},
        ),
        (
            TaskType.TextCollection,
            {"fields": fields},
            {"fields": {"t": "Test response.......", "n": 3, "c": "x"}},
        ),
        (
            TaskType.Comparison,
            {
                "prompt": "Hi?",
                "responses": [{"id": "a", "content": "Hi"}, {"id": "b", "content": "Yo"}],
                "ranking": True,
                "fields": [{"type": "likert", "field_id": "s", "title": "S"}],
            },
            {"chosen": "a", "ranking": ["a", "b"], "fields": {"s": 1}},
        ),
    ]
    for task_type, params, expected in cases:
        task = test_client.create_task(
            task_type, callback_url="https://example.com/cb", **params
        ).as_dict()
        assert task["status"] == "completed" and task["is_test"] is True, task_type
        assert task["response"] == expected, task_type
        row = _task_row(server, task["task_id"])
        assert row.open_slots == 0 and row.stage == "done"
    # Its callback is queued like any completion's.
    from labelworks.db.tables import OutboxMessage

    row = _task_row(server, task["task_id"])
    with server.backend.db.read() as session:
        message = session.scalar(select(OutboxMessage).where(OutboxMessage.task_seq == row.seq))
        assert message is not None and message.payload["task"]["is_test"] is True
    # Live tasks are not test tasks.
    live = client.create_task(TaskType.Categorization, attachment=IMAGE, categories=CATS)
    assert live.as_dict()["is_test"] is False and live.as_dict()["status"] == "pending"


def test_test_and_live_keys_see_only_their_own_data(test_client, client):
    client.create_project("p", TaskType.Categorization, params={"categories": CATS})
    # Projects are shared between the modes (one configuration); tasks and batches are not.
    assert [p.name for p in test_client.projects()] == ["p"]
    live = client.create_task(TaskType.Categorization, project="p", attachment=IMAGE)
    test = test_client.create_task(TaskType.Categorization, project="p", attachment=IMAGE)
    client.create_batch("p", "live-batch")
    test_client.create_batch("p", "test-batch")
    assert [t.id for t in client.get_tasks(project_name="p")] == [live.id]
    assert [t.id for t in test_client.get_tasks(project_name="p")] == [test.id]
    assert client.get_tasks_count(project_name="p") == 1
    with pytest.raises(ScaleResourceNotFound):
        client.get_task(test.id)
    with pytest.raises(ScaleResourceNotFound):
        test_client.get_task(live.id)
    assert [b.name for b in client.get_batches(project_name="p")] == ["live-batch"]
    assert [b.name for b in test_client.get_batches(project_name="p")] == ["test-batch"]
    with pytest.raises(ScaleResourceNotFound):
        client.get_batch("test-batch")


def test_test_batch_completes_on_finalize_and_never_reaches_annotators(test_client, server):
    project = f"tp-{uuid.uuid4().hex[:8]}"  # project names are per org; the queue is shared
    test_client.create_project(project, TaskType.Categorization, params={"categories": CATS})
    test_client.create_batch(project, "tb")
    # A gold task made in test mode is kept but never served, even once its batch opens.
    test_client.create_evaluation_task(
        TaskType.Categorization,
        batch="tb",
        attachment=IMAGE,
        expected_response={"category": "red"},
    )
    task = test_client.create_task(TaskType.Categorization, batch="tb", attachment=IMAGE)
    assert task.status == "completed"  # and with it the batch: gold never holds a batch open
    assert test_client.finalize_batch("tb").status in ("in_progress", "completed")
    assert test_client.batch_status("tb")["completed"] == 1
    worker = make_worker(server)
    try:
        assert worker.next(project=project).status_code == 204
    finally:
        worker.client.close()


def test_cancelling_a_completed_task_is_refused(test_client):
    task = test_client.create_task(TaskType.Categorization, attachment=IMAGE, categories=CATS)
    with pytest.raises(ScaleInvalidRequest, match="completed"):
        test_client.cancel_task(task.id)
    assert test_client.get_task(task.id).status == "completed"


def test_cli_creates_test_keys(server):
    name = f"cli-{uuid.uuid4().hex[:8]}"
    cli(server.backend.env, "org", "create", name)
    key = cli(server.backend.env, "key", "create", "--org", name, "--test").stdout.strip()
    assert key.splitlines()[-1].startswith("test_")
    task = _client(server, key.splitlines()[-1]).create_task(
        TaskType.Categorization, attachment=IMAGE, categories=CATS
    )
    assert task.as_dict()["is_test"] is True and task.status == "completed"
    live = cli(server.backend.env, "key", "create", "--org", name).stdout.strip()
    assert live.splitlines()[-1].startswith("live_")


# --- 8. templates ---------------------------------------------------------------------------


def test_project_task_template(client):
    fields = [
        {"type": "text", "field_id": "answer", "title": "Answer"},
        {"type": "category", "field_id": "tone", "title": "Tone", "choices": ["calm", "angry"]},
    ]
    client.create_project(
        "sft", TaskType.TextCollection, params={"fields": fields, "instruction": "Reply"}
    )
    template = client.get_project_template("sft")
    assert template.id and template.version == 0
    assert template.get_template_variables() == {"fields": fields, "instruction": "Reply"}
    schema = template.get_response_schema()
    assert schema["properties"]["fields"]["required"] == ["answer", "tone"]
    assert schema["properties"]["fields"]["properties"]["tone"] == {"enum": ["calm", "angry"]}
    assert template.is_auto_onboardable() is False
    client.update_project("sft", instruction="Reply kindly")
    assert client.get_project_template("sft").version == 1
    client.create_project("cats", TaskType.Categorization, params={"categories": CATS})
    with pytest.raises(ScaleInvalidRequest, match="task templates"):
        client.get_project_template("cats")
    with pytest.raises(ScaleResourceNotFound):
        client.get_project_template("nope")


def test_template_route_needs_a_key(server):
    assert httpx.get(f"{server.v1}/projects/x/taskTemplates").status_code == 401
