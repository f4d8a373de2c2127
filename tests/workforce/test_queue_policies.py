"""Queue policies the customer sets through the scaleapi client: adaptive overlap, Studio batch
priorities, a private team pool with Studio assignments, batch groups."""

from __future__ import annotations

import uuid

import httpx
import pytest
import scaleapi
from scaleapi.tasks import TaskType
from scaleapi.teams import TeammateRole
from sqlalchemy import text

from tests.workforce.conftest import PASSWORD, Worker

CATS = ["cat", "dog"]


@pytest.fixture
def client(server, org) -> scaleapi.ScaleClient:
    return scaleapi.ScaleClient(org[1], api_instance_url=server.v1)


def _name() -> str:
    return f"pol-{uuid.uuid4().hex[:8]}"


def _label(worker: Worker, project: str, answer: str = "cat") -> str:
    r = worker.next(project)
    assert r.status_code == 200, r.text
    lease = r.json()
    worker.submit(lease["assignment_id"], {"response": {"category": answer}}).raise_for_status()
    return lease["task"]["task_id"]


def test_adaptive_overlap_stops_early_when_annotators_agree(client, worker_factory):
    name = _name()
    client.create_project(
        name,
        TaskType.Categorization,
        params={"categories": CATS, "overlap": 5, "adaptive_overlap": True},
    )
    agreed = client.create_task(TaskType.Categorization, project=name, attachment="https://e/1")
    for _ in range(3):
        _label(worker_factory(), name, "cat")
    # Three agreeing annotators (prior skill 0.7) pass the 0.9 posterior: no 4th or 5th label.
    done = client.get_task(agreed.id)
    assert done.status == "completed" and done.response == {"category": "cat"}
    split = client.create_task(TaskType.Categorization, project=name, attachment="https://e/2")
    for answer in ("cat", "dog", "cat", "dog"):
        _label(worker_factory(), name, answer)
    assert client.get_task(split.id).status == "pending"  # disagreement: keeps asking
    _label(worker_factory(), name, "cat")
    assert client.get_task(split.id).status == "completed"  # but never beyond overlap 5


def test_studio_batch_priorities_order_the_queue(client, worker_factory):
    name = _name()
    client.create_project(name, TaskType.Categorization, params={"categories": CATS})
    ids = {}
    for batch in ("early", "late"):
        client.create_batch(name, f"{name}-{batch}")
        ids[batch] = client.create_task(
            TaskType.Categorization, project=name, batch=f"{name}-{batch}", attachment="https://e/x"
        ).id
        client.finalize_batch(f"{name}-{batch}")
    client.set_studio_batches_priorities([f"{name}-late", f"{name}-early"])
    w = worker_factory()
    assert [_label(w, name), _label(w, name)] == [ids["late"], ids["early"]]


def _teammate(server, email: str) -> Worker:
    """An invited teammate who has accepted the invite (setting a password) and logged in."""
    from labelworks.services import invites

    with server.backend.db.write() as session:
        token, _ = invites.create_invite(session, email)
    invites.accept_invite(server.backend.db, token, PASSWORD)
    token = httpx.post(
        f"{server.url}/auth/login", json={"email": email, "password": PASSWORD}
    ).json()["token"]
    return Worker(
        email,
        httpx.Client(base_url=server.url, timeout=60, headers={"Authorization": f"Bearer {token}"}),
    )


def test_team_pool_serves_assigned_teammates_only(client, server, worker_factory):
    name = _name()
    other = _name()
    for project in (name, other):
        client.create_project(
            project, TaskType.Categorization, params={"categories": CATS, "pools": ["team"]}
        )
        client.create_task(TaskType.Categorization, project=project, attachment="https://e/t")
    tag = uuid.uuid4().hex[:6]
    ann, bob = f"ann-{tag}@example.com", f"bob-{tag}@example.com"
    client.invite_teammates([ann, bob], TeammateRole.Labeler)
    client.add_studio_assignments([ann], [name])
    platform = worker_factory()
    assert platform.next(name).status_code == 204  # not in this org's team
    ann_w, bob_w = _teammate(server, ann), _teammate(server, bob)
    assert bob_w.next(name).status_code == 204  # a teammate, but not assigned to the project
    assert ann_w.next(name).status_code == 200
    assert bob_w.next(other).status_code == 200  # no assignments there: any teammate


def test_batch_groups_restrict_who_gets_a_batch(client, server):
    name = _name()
    client.create_project(
        name, TaskType.Categorization, params={"categories": CATS, "pools": ["team"]}
    )
    tag = uuid.uuid4().hex[:6]
    ann, bob = f"ann-{tag}@example.com", f"bob-{tag}@example.com"
    client.invite_teammates([ann, bob], TeammateRole.Labeler)
    client.create_project_group(name, [ann], "night-shift")
    client.create_batch(name, f"{name}-b")
    client.create_task(
        TaskType.Categorization, project=name, batch=f"{name}-b", attachment="https://e/g"
    )
    client.finalize_batch(f"{name}-b")
    client.assign_studio_batches(f"{name}-b", ["night-shift"])
    ann_w, bob_w = _teammate(server, ann), _teammate(server, bob)
    assert bob_w.next(name).status_code == 204
    assert ann_w.next(name).status_code == 200
    with server.backend.db.read() as session:
        assert session.execute(text("SELECT count(*) FROM batch_groups")).scalar_one() >= 1


def test_raising_overlap_reopens_waiting_tasks(client, worker_factory):
    name = _name()
    client.create_project(name, TaskType.Categorization, params={"categories": CATS})
    task = client.create_task(TaskType.Categorization, project=name, attachment="https://e/o")
    first = worker_factory()
    lease = first.next(name).json()
    client.update_project(name, overlap=2)  # while the first label is still being made
    second = worker_factory()
    assert second.next(name).json()["task"]["task_id"] == task.id
    first.submit(lease["assignment_id"], {"response": {"category": "cat"}}).raise_for_status()
    assert client.get_task(task.id).status == "pending"  # now needs two labels
    assert worker_factory().next(name).status_code == 204  # both slots are taken


def test_gold_in_a_batch_does_not_hold_the_batch_open(client, worker_factory):
    name = _name()
    client.create_project(name, TaskType.Categorization, params={"categories": CATS})
    client.create_batch(name, f"{name}-b")
    client.create_evaluation_task(
        TaskType.Categorization,
        project=name,
        batch=f"{name}-b",
        attachment="https://e/g",
        expected_response={"category": "cat"},
    )
    client.create_task(
        TaskType.Categorization, project=name, batch=f"{name}-b", attachment="https://e/r"
    )
    client.finalize_batch(f"{name}-b")
    w = worker_factory()
    _label(w, name)  # gold_rate 0: the real task
    assert client.get_batch(f"{name}-b").status == "completed"
