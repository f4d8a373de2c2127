"""Teams and Studio through the official `scaleapi` client, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
import scaleapi
from scaleapi.exceptions import ScaleDuplicateResource, ScaleInvalidRequest, ScaleResourceNotFound
from scaleapi.tasks import TaskType
from scaleapi.teams import TeammateRole
from sqlalchemy import text

CATS = ["a", "b"]


@pytest.fixture
def client(server, org) -> scaleapi.ScaleClient:
    return scaleapi.ScaleClient(org[1], api_instance_url=server.v1)


@pytest.fixture
def emails() -> list[str]:
    tag = uuid.uuid4().hex[:8]
    return [f"{name}-{tag}@example.com" for name in ("ann", "bob", "cy")]


def _project(client, name: str = "colors") -> None:
    client.create_project(name, TaskType.Categorization, params={"categories": CATS})


def _tasks(client, project: str, batch: str, n: int = 2) -> None:
    client.create_batch(project, batch)
    for _ in range(n):
        client.create_task(
            TaskType.Categorization,
            project=project,
            batch=batch,
            attachment="https://example.com/a.png",
        )


def _batch_ranks(db, org_name: str, batch_names: list[str]) -> dict[str, set[int]]:
    """{batch name: the set of its tasks' batch_rank}, read straight from the database."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT b.name, t.batch_rank FROM tasks t JOIN batches b ON b.id = t.batch_id "
                "JOIN orgs o ON o.id = t.org_id WHERE o.name = :org"
            ),
            {"org": org_name},
        ).all()
    out: dict[str, set[int]] = {name: set() for name in batch_names}
    for name, rank in rows:
        if name in out:
            out[name].add(rank)
    return out


def test_invite_list_and_update_teammates_role(client, emails):
    ann, bob, _ = emails
    team = client.invite_teammates([ann, bob.upper()], TeammateRole.Labeler)
    assert sorted(t.email for t in team) == [ann, bob]
    assert all(t.role == "labeler" and t.is_studio_labeler for t in team)
    # Inviting again leaves the team unchanged.
    assert len(client.invite_teammates([ann], TeammateRole.Admin)) == 2
    updated = client.update_teammates_role([bob], TeammateRole.Manager)
    roles = {t.email: t.role for t in updated}
    assert roles == {ann: "labeler", bob: "manager"}
    listed = {t.email: t for t in client.list_teammates()}
    assert listed[bob].role == "manager" and listed[bob].is_studio_labeler is False
    assert listed[ann].expiry is None  # no invite link issued yet


def test_invite_rejects_bad_role_and_emails(client, emails):
    api = client.api
    with pytest.raises(ScaleInvalidRequest, match="team_role"):
        api.post_request("teams/invite", {"emails": emails, "team_role": "boss"})
    with pytest.raises(ScaleInvalidRequest, match="emails"):
        api.post_request("teams/invite", {"emails": ["not-an-email"], "team_role": "labeler"})
    with pytest.raises(ScaleResourceNotFound, match=emails[2]):
        client.update_teammates_role([emails[2]], TeammateRole.Admin)
    assert client.list_teammates() == []


def test_studio_assignments_add_list_remove(client, emails):
    ann, bob, stranger = emails
    _project(client, "p1")
    _project(client, "p2")
    client.invite_teammates([ann, bob], TeammateRole.Labeler)
    added = client.add_studio_assignments([ann, bob], ["p1", "p2"])
    assert {e: a.assigned_projects for e, a in added.items()} == {
        ann: ["p1", "p2"],
        bob: ["p1", "p2"],
    }
    removed = client.remove_studio_assignments([bob], ["p1"])
    assert removed[bob].assigned_projects == ["p2"]
    listed = client.list_studio_assignments()
    assert listed[ann].assigned_projects == ["p1", "p2"]
    assert listed[bob].assigned_projects == ["p2"]
    with pytest.raises(ScaleResourceNotFound, match=stranger):
        client.add_studio_assignments([ann, stranger], ["p1"])
    with pytest.raises(ScaleResourceNotFound, match="nope"):
        client.add_studio_assignments([ann], ["p1", "nope"])
    assert client.list_studio_assignments()[ann].assigned_projects == ["p1", "p2"]


def test_project_groups_create_list_update(client, emails):
    ann, bob, cy = emails
    _project(client)
    client.invite_teammates(emails, TeammateRole.Labeler)
    group = client.create_project_group("colors", [ann, bob], "night shift")
    assert group.name == "night shift" and group.numWorkers == 2 and group.isSingleton is False
    assert sorted(w["email"] for w in group.as_dict()["workers"]) == [ann, bob]
    with pytest.raises(ScaleDuplicateResource):
        client.create_project_group("colors", [cy], "night shift")
    updated = client.update_project_group(
        "colors", "night shift", add_emails=[cy], remove_emails=[ann]
    )
    assert sorted(w["email"] for w in updated.as_dict()["workers"]) == [bob, cy]
    listed = client.list_project_groups("colors")
    assert [(g.name, g.numWorkers) for g in listed] == [("night shift", 2)]
    with pytest.raises(ScaleResourceNotFound):
        client.update_project_group("colors", "day shift", add_emails=[cy], remove_emails=[])
    with pytest.raises(ScaleResourceNotFound):
        client.list_project_groups("nope")


def test_studio_batches_assign_groups(client, emails):
    _project(client)
    client.invite_teammates(emails, TeammateRole.Labeler)
    client.create_project_group("colors", emails[:1], "g1")
    client.create_project_group("colors", emails[1:], "g2")
    _tasks(client, "colors", "b1", n=3)
    [batch] = client.list_studio_batches()
    assert (batch.name, batch.project_name, batch.batch_type) == ("b1", "colors", "Production")
    assert (batch.total, batch.completed, batch.groups, batch.studio_priority) == (3, 0, [], None)
    assigned = client.assign_studio_batches("b1", ["g2", "g1"])
    assert assigned.groups == ["g1", "g2"]
    assert client.assign_studio_batches("b1", ["g2"]).groups == ["g2"]
    with pytest.raises(ScaleResourceNotFound, match="g3"):
        client.assign_studio_batches("b1", ["g3"])
    with pytest.raises(ScaleResourceNotFound):
        client.assign_studio_batches("nope", ["g1"])


def test_set_and_reset_priorities_rerank_the_tasks(client, server, org):
    _project(client)
    for name in ("b1", "b2", "b3"):
        _tasks(client, "colors", name)
    client.finalize_batch("b1")
    ordered = client.set_studio_batches_priorities(["b3", "b1"])
    assert [(b.name, b.studio_priority) for b in ordered] == [("b3", 1), ("b1", 2), ("b2", None)]
    assert [b.name for b in client.list_studio_batches()] == ["b3", "b1", "b2"]
    assert _batch_ranks(server.backend.db, org[0], ["b1", "b2", "b3"]) == {
        "b3": {1},
        "b1": {2},
        "b2": {1_000_000},
    }
    # A task added later to a prioritised batch takes the batch's rank.
    client.create_task(
        TaskType.Categorization,
        project="colors",
        batch="b3",
        attachment="https://example.com/c.png",
    )
    assert _batch_ranks(server.backend.db, org[0], ["b3"]) == {"b3": {1}}
    # The list is the whole order: a batch left out loses its priority.
    again = client.set_studio_batches_priorities(["b2"])
    assert [(b.name, b.studio_priority) for b in again] == [("b2", 1), ("b1", None), ("b3", None)]
    reset = client.reset_studio_batches_priorities()
    assert [(b.name, b.studio_priority) for b in reset] == [
        ("b1", None),
        ("b2", None),
        ("b3", None),
    ]
    assert _batch_ranks(server.backend.db, org[0], ["b1", "b2", "b3"]) == {
        n: {1_000_000} for n in ("b1", "b2", "b3")
    }
    with pytest.raises(ScaleResourceNotFound):
        client.set_studio_batches_priorities(["b1", "nope"])
    with pytest.raises(ScaleInvalidRequest, match="twice"):
        client.set_studio_batches_priorities(["b1", "b1"])


def test_cross_org_team_and_studio_are_invisible(client, server, emails):
    ann = emails[0]
    _project(client)
    _tasks(client, "colors", "b1")
    client.invite_teammates([ann], TeammateRole.Labeler)
    client.add_studio_assignments([ann], ["colors"])
    client.create_project_group("colors", [ann], "g1")
    client.set_studio_batches_priorities(["b1"])

    other = scaleapi.ScaleClient(server.backend.new_org("other")[1], api_instance_url=server.v1)
    assert other.list_teammates() == []
    assert other.list_studio_assignments() == {}
    assert other.list_studio_batches() == []
    with pytest.raises(ScaleResourceNotFound):
        other.update_teammates_role([ann], TeammateRole.Admin)
    with pytest.raises(ScaleResourceNotFound):
        other.add_studio_assignments([ann], ["colors"])
    with pytest.raises(ScaleResourceNotFound):
        other.list_project_groups("colors")
    with pytest.raises(ScaleResourceNotFound):
        other.create_project_group("colors", [], "mine")
    with pytest.raises(ScaleResourceNotFound):
        other.update_project_group("colors", "g1", add_emails=[], remove_emails=[ann])
    with pytest.raises(ScaleResourceNotFound):
        other.assign_studio_batches("b1", ["g1"])
    with pytest.raises(ScaleResourceNotFound):
        other.set_studio_batches_priorities(["b1"])
    assert other.reset_studio_batches_priorities() == []
    # Org A is untouched.
    assert client.list_teammates()[0].role == "labeler"
    assert client.list_studio_batches()[0].studio_priority == 1
    assert client.list_project_groups("colors")[0].numWorkers == 1
    # The same person may also join org B's team, without seeing org A's assignments there.
    other.invite_teammates([ann], TeammateRole.Labeler)
    assert {e: a.assigned_projects for e, a in other.list_studio_assignments().items()} == {ann: []}
