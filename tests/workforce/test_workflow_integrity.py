"""Workflow integrity (issue 9 item 5) and the lifecycle trail (item 6), against a live server
on SQLite and PostgreSQL. Each test names the bug it pins down; each failed on the old code."""

from __future__ import annotations

import uuid

import httpx
import pytest
import scaleapi
from scaleapi.tasks import TaskType
from sqlalchemy import select

from tests.workforce.conftest import make_worker, set_rates

CATS = ["cat", "dog", "bird"]


def _name(prefix: str = "wf") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def client(server, org) -> scaleapi.ScaleClient:
    return scaleapi.ScaleClient(org[1], api_instance_url=server.v1)


def _org_id(server, org_name: str) -> int:
    from labelworks.db.tables import Org

    with server.backend.db.read() as session:
        return session.scalar(select(Org.id).where(Org.name == org_name))


def _project(client, name, **settings):
    client.create_project(name, TaskType.Categorization, params={"categories": CATS, **settings})


def _task(client, project):
    return client.create_task(TaskType.Categorization, project=project, attachment="https://e/x")


def _label(worker, project, category):
    lease = worker.next(project, stage="label").json()
    worker.submit(lease["assignment_id"], {"response": {"category": category}}).raise_for_status()
    return lease


def _pause(server, email: str, project: str) -> None:
    from labelworks.db.tables import Project, User, WorkerProjectStats

    with server.backend.db.write() as session:
        user_id = session.scalar(select(User.id).where(User.email == email))
        project_id = session.scalar(select(Project.id).where(Project.name == project))
        session.add(WorkerProjectStats(user_id=user_id, project_id=project_id, paused=True))


def _events(api: httpx.Client, task_id: str) -> list[dict]:
    r = api.get(f"/task/{task_id}/events")
    assert r.status_code == 200
    return r.json()["events"]


def test_nobody_reviews_their_own_label(client, worker_factory):
    # Bug: a reviewer was handed the review of a task they labelled themselves.
    name = _name()
    _project(client, name, review=True)
    _task(client, name)
    reviewer = worker_factory("reviewer")
    _label(reviewer, name, "cat")
    own = reviewer.next(name, stage="review")
    assert own.status_code == 204 and own.headers["Labelworks-Reason"] == "no-eligible-work"
    other = worker_factory("reviewer")
    assert other.next(name, stage="review").status_code == 200


def test_fix_accepts_and_pays_labels_equal_to_the_fix(client, worker_factory, org, server):
    # Bug: a "fix" rejected (and left unpaid) a label equal to the fixed answer.
    name = _name()
    _project(client, name, review=True, overlap=2)
    set_rates(server, org[0], name, 0.10, 0.05)
    task = _task(client, name)
    right, wrong = worker_factory(), worker_factory()
    _label(right, name, "bird")
    _label(wrong, name, "dog")
    reviewer = worker_factory("reviewer")
    review = reviewer.next(name, stage="review").json()
    reviewer.submit(
        review["assignment_id"], {"decision": "fix", "response": {"category": "bird"}}
    ).raise_for_status()
    assert client.get_task(task.id).response == {"category": "bird"}
    mine = right.me()
    assert mine["labels_accepted"] == 1 and mine["earnings"] == pytest.approx(0.10)
    theirs = wrong.me()
    assert theirs["labels_rejected"] == 1 and theirs["earnings"] == 0


def test_consensus_marks_dissenting_labels(client, worker_factory, org, server):
    # Bug: consensus marked every label accepted, the dissenting one too.
    name = _name()
    _project(client, name, overlap=3)
    set_rates(server, org[0], name, 0.10, 0.0)
    task = _task(client, name)
    a, b, c = worker_factory(), worker_factory(), worker_factory()
    _label(a, name, "cat")
    _label(b, name, "cat")
    _label(c, name, "dog")
    assert client.get_task(task.id).response == {"category": "cat"}
    assert a.me()["labels_accepted"] == 1
    dissent = c.me()
    assert dissent["labels_accepted"] == 0 and dissent["labels_dissented"] == 1
    assert dissent["earnings"] == 0


def test_user_created_for_an_org_works_on_its_team_pool(client, server, org):
    # Bug: `labelworks user create --org ORG` people never got work (only invited members did),
    # and /work/next said nothing about why.
    name = _name()
    _project(client, name, pools=["team"])
    task = _task(client, name)
    outsider = make_worker(server)
    r = outsider.next(name)
    assert r.status_code == 204 and r.headers["Labelworks-Reason"] == "not-on-team"
    member = make_worker(server, org_id=_org_id(server, org[0]))
    assert member.next(name).json()["task"]["task_id"] == task.id


def test_reason_header_names_the_obstacle(client, server, worker_factory):
    name = _name()
    _project(client, name)  # platform pool
    w = worker_factory()
    r = w.next(name)
    assert r.status_code == 204 and r.headers["Labelworks-Reason"] == "no-eligible-work"
    r = w.next("no-such-project-" + name)
    assert r.headers["Labelworks-Reason"] == "no-such-project"
    _pause(server, w.email, name)
    r = w.next(name)
    assert r.status_code == 204 and r.headers["Labelworks-Reason"] == "paused-low-gold-accuracy"


def test_reviewer_gets_review_work_first(client, worker_factory):
    # Bug: reviewers got label work unless they knew `?stage=review`.
    name = _name()
    _project(client, name, review=True)
    labelled, fresh = _task(client, name), _task(client, name)
    _label(worker_factory(), name, "cat")
    reviewer = worker_factory("reviewer")
    lease = reviewer.client.post("/work/next", json={"project": name}).json()
    assert lease["stage"] == "review" and lease["task"]["task_id"] == labelled.id
    reviewer.submit(lease["assignment_id"], {"decision": "accept"}).raise_for_status()
    # No review left: label work follows; `?stage=` still chooses.
    assert reviewer.next(name, stage="review").status_code == 204
    lease = reviewer.client.post("/work/next", json={"project": name}).json()
    assert lease["stage"] == "label" and lease["task"]["task_id"] == fresh.id


@pytest.mark.parametrize("relabel", [False, True])
def test_rejected_task_with_no_one_left_is_visible_as_stalled(client, server, org, api, relabel):
    # Bug: after a reject, a task whose original labellers were the only eligible people stayed
    # pending forever with no sign. The setting that decides whether they may redo it is explicit.
    name = _name()
    _project(client, name, review=True, pools=["team"], allow_relabel_by_same_worker=relabel)
    task = _task(client, name)
    org_id = _org_id(server, org[0])
    labeller = make_worker(server, org_id=org_id)
    reviewer = make_worker(server, "reviewer", org_id=org_id)
    _label(labeller, name, "cat")
    review = reviewer.next(name, stage="review").json()
    # Reviewers may label too; paused on this project, the reviewer no longer can.
    _pause(server, reviewer.email, name)
    reviewer.submit(review["assignment_id"], {"decision": "reject"}).raise_for_status()
    events = _events(api, task.id)
    assert [e["event"] for e in events][:4] == ["created", "to_review", "reworked"] + (
        [] if relabel else ["stalled"]
    )
    assert events[2]["detail"]["reason"] == "review_rejected"
    assert events[2]["actor"]["kind"] == "worker"
    if relabel:
        assert labeller.next(name).json()["task"]["task_id"] == task.id
    else:
        assert events[3]["detail"]["reason"] == "no-eligible-worker"
        assert labeller.next(name).status_code == 204


def test_task_history_oldest_first_and_scoped(client, worker_factory, server, api):
    name = _name()
    _project(client, name)
    task = _task(client, name)
    _label(worker_factory(), name, "dog")
    events = _events(api, task.id)
    assert [(e["event"], e["from_status"], e["to_status"]) for e in events] == [
        ("created", None, "pending"),
        ("completed", "pending", "completed"),
    ]
    assert events[0]["actor"]["kind"] == "api_key" and events[1]["actor"]["kind"] == "worker"
    # Another org sees a 404, like any other object of this org.
    _, other_key = server.backend.new_org()
    with httpx.Client(base_url=server.v1, auth=(other_key, "")) as other:
        assert other.get(f"/task/{task.id}/events").status_code == 404
    cancelled = _task(client, name)
    client.cancel_task(cancelled.id)
    assert [e["event"] for e in _events(api, cancelled.id)] == ["created", "canceled"]


def test_history_service_scopes_by_principal(backend):
    from labelworks.errors import NotFound
    from labelworks.services import lifecycle, orgs, projects, tasks
    from labelworks.services.scope import Principal

    with backend.db.write() as session:
        org, _ = orgs.create_org(session, _name("org"))
        mine = Principal(org.id, org.name)
        projects.create_project(
            session, mine, {"name": "p", "type": "categorization", "params": {"categories": CATS}}
        )
        view = tasks.create_task(
            session, mine, "categorization", {"project": "p", "attachment": "https://e/x"}
        )
        tasks.cancel_task(session, mine, view.task.task_id, clear_unique_id=False)
        history = lifecycle.task_history(session, mine, view.task.task_id)
        assert [e.event for e in history] == ["created", "canceled"]
        assert history[0].actor_kind == "system"
        with pytest.raises(NotFound):
            lifecycle.task_history(session, Principal(org.id + 10_000, "x"), view.task.task_id)
