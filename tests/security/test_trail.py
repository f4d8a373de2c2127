"""The access trail: every access to an org's content is a record in the org's hash chain, the
customer reads it at /v1/access-log and `labelworks trail verify` finds any tampering."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import delete, insert, select, update
from starlette.testclient import TestClient

from labelworks.db.tables import ApiKey, Org, TrailHead, TrailRecord
from labelworks.services import orgs, trail, users
from labelworks.services.scope import Principal

PASSWORD = "correct horse battery"
CATEGORIZATION = {"instruction": "pick", "attachment": "hello", "attachment_type": "text",
                  "categories": ["a", "b"]}  # fmt: skip


def _org(backend) -> tuple[Org, str, int]:
    """A fresh org, its live key and the key's id."""
    name, key = backend.new_org("trail")
    with backend.db.read() as session:
        org = orgs.get_org(session, name)
        key_id = session.scalar(select(ApiKey.id).where(ApiKey.org_id == org.id))
    return org, key, key_id


def _client(app_client, key: str, base: str = "http://testserver/v1") -> TestClient:
    client = TestClient(app_client.app, base_url=base, raise_server_exceptions=False)
    if key:
        client.auth = (key, "")
    return client


def _records(backend, org_id: int) -> list[TrailRecord]:
    with backend.db.read() as session:
        stmt = select(TrailRecord).where(TrailRecord.org_id == org_id).order_by(TrailRecord.seq)
        return list(session.scalars(stmt))


def _verify(backend, org_id: int, kept: tuple[int, str] | None = None) -> trail.Verdict:
    with backend.db.read() as session:
        return trail.verify(session, org_id, kept)


def test_key_reads_writes_annotator_work_and_export_are_recorded(app_client, backend):
    org, key, key_id = _org(backend)
    api = _client(app_client, key)
    project = f"p-{uuid.uuid4().hex[:6]}"
    assert api.post("/projects", json={"name": project, "type": "categorization"}).is_success
    created = api.post("/task/categorization", json={**CATEGORIZATION, "project": project})
    task_id = created.json()["task_id"]
    assert api.get(f"/task/{task_id}").status_code == 200
    assert api.get("/tasks", params={"project": project}).status_code == 200
    assert api.get("/task/nope").status_code == 404  # a failed read leaves no record
    batch = f"b-{uuid.uuid4().hex[:6]}"
    assert api.post("/batches", json={"name": batch, "project": project}).status_code == 200
    assert api.get("/batches", params={"project": project}).status_code == 200
    assert api.get(f"/batches/{batch}").status_code == 200

    email = f"ann-{uuid.uuid4().hex[:8]}@example.com"
    with backend.db.write() as session:
        annotator_id = users.create_user(session, email, "annotator", PASSWORD).id
    token = app_client.post("/auth/login", json={"email": email, "password": PASSWORD})
    worker = _client(app_client, "", "http://testserver")
    worker.headers["Authorization"] = f"Bearer {token.json()['token']}"
    lease = worker.post("/work/next", json={"project": project})
    assert lease.status_code == 200, lease.text
    submitted = worker.post(
        f"/work/assignments/{lease.json()['assignment_id']}/submit",
        json={"response": {"category": "a"}},
    )
    assert submitted.status_code == 200, submitted.text
    export = api.get(f"/projects/{project}/export", params={"format": "jsonl"})
    assert export.status_code == 200

    got = [(r.action, r.actor_kind, r.actor_id, r.object_ids) for r in _records(backend, org.id)]
    mine = (str(key_id),)
    assert [a for a in got if a[0].startswith("task.")] == [
        ("task.create", "api_key", *mine, f'["{task_id}"]'),
        ("task.get", "api_key", *mine, f'["{task_id}"]'),
        ("task.list", "api_key", *mine, f'["{task_id}"]'),
    ]
    assert ("work.next", "annotator", str(annotator_id), f'["{task_id}"]') in got
    assert ("work.submit", "annotator", str(annotator_id), f'["{task_id}"]') in got
    assert ("export.run", "api_key", str(key_id), f'["{project}"]') in got
    for action in ("batch.create", "batch.list", "batch.get"):
        assert (action, "api_key", str(key_id), f'["{batch}"]') in got
    assert ("project.create", "api_key", str(key_id), f'["{project}"]') in got
    assert _verify(backend, org.id).ok


def test_callbacks_and_cli_exports_are_recorded(app_client, backend):
    from labelworks.services import exports
    from labelworks.services.delivery import claims

    org, _, _ = _org(backend)
    with backend.db.write() as session:
        test_key = orgs.create_key(session, session.get(Org, org.id), test=True)
    api = _client(app_client, test_key)
    # A test-mode task completes at once: its callback is queued with it.
    body = {**CATEGORIZATION, "callback_url": "http://127.0.0.1:9/hook"}
    task_id = api.post("/task/categorization", json=body).json()["task_id"]
    with backend.db.write() as session:
        claims.claim(session, "trail-test", 1000, backend.db.settings)
    with backend.db.read() as session:
        principal = Principal(org.id, org.name)  # the CLI's principal
        exports.open_export(session, backend.db, principal, "_default_categorization", "jsonl")
    got = [(r.action, r.actor_kind, r.object_ids) for r in _records(backend, org.id)]
    assert ("callback.send", "callback", f'["{task_id}"]') in got
    assert ("export.run", "export", '["_default_categorization"]') in got


def test_concurrent_appends_keep_one_valid_chain(backend):
    org, _, _ = _org(backend)
    principal = Principal(org.id, org.name, kind="api_key", key_id=1)
    errors: list[BaseException] = []

    def append(n: int) -> None:
        try:
            for i in range(n):
                if i % 2:  # a read's record: appended after the read, in its own write
                    with backend.db.read() as session:
                        trail.record(session, principal, "task.get", [f"r{i}"])
                else:
                    with backend.db.write() as session:
                        trail.record(session, principal, "task.create", [f"w{i}"])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(10,)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    verdict = _verify(backend, org.id)
    assert verdict.ok, verdict.problem
    assert verdict.records == 60 and verdict.head_seq == 60


def test_a_write_and_its_record_commit_together(backend):
    org, _, _ = _org(backend)
    principal = Principal(org.id, org.name, kind="api_key", key_id=1)
    with pytest.raises(RuntimeError), backend.db.write() as session:
        trail.record(session, principal, "task.create", ["x"])
        raise RuntimeError("the write fails")
    assert _records(backend, org.id) == []


def _chain(backend, n: int) -> tuple[Org, list[TrailRecord]]:
    org, _, _ = _org(backend)
    principal = Principal(org.id, org.name, kind="api_key", key_id=7)
    for i in range(n):
        with backend.db.write() as session:
            trail.record(session, principal, "task.get", [f"t{i}"])
    return org, _records(backend, org.id)


def _cli(backend, *args: str) -> tuple[int, str, str]:
    """`labelworks ARGS` in this process on the backend's database (a subprocess costs seconds
    of imports; the command's parsing, output and exit code are the same)."""
    from unittest import mock

    from typer.testing import CliRunner

    from labelworks.cli import app
    from labelworks.commands import trail as trail_command

    with mock.patch.object(trail_command, "open_database", lambda: backend.db):
        result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _sql(backend, stmt) -> None:
    with backend.db.write() as session:
        session.execute(stmt)


def test_tampering_is_found_and_named(backend):
    # Altered: one field of record 3 changed in place.
    org, rows = _chain(backend, 5)
    _sql(backend, update(TrailRecord).where(TrailRecord.id == rows[2].id).values(actor_id="99"))
    verdict = _verify(backend, org.id)
    assert not verdict.ok and f"record id {rows[2].id} (seq 3)" in verdict.problem
    assert "altered" in verdict.problem

    # Deleted: record 2 removed; the next one is named.
    org, rows = _chain(backend, 5)
    _sql(backend, delete(TrailRecord).where(TrailRecord.id == rows[1].id))
    verdict = _verify(backend, org.id)
    assert not verdict.ok and f"record id {rows[2].id} (seq 3): expected seq 2" in verdict.problem

    # Deleted at the end: the head row no longer matches the chain.
    org, rows = _chain(backend, 3)
    _sql(backend, delete(TrailRecord).where(TrailRecord.id == rows[2].id))
    verdict = _verify(backend, org.id)
    assert not verdict.ok and "chain ends at seq 2 but its head says seq 3" in verdict.problem

    # Inserted: a forged record between 2 and 3 (later seqs shifted to make room).
    org, rows = _chain(backend, 4)
    for r in reversed(rows[2:]):
        _sql(backend, update(TrailRecord).where(TrailRecord.id == r.id).values(seq=r.seq + 1))
    forged = {k: getattr(rows[1], k) for k in trail.HASHED}
    forged.update(seq=3, action="task.list", prev_hash=rows[1].hash)
    forged["hash"] = trail.chain_hash(forged)
    _sql(backend, insert(TrailRecord).values(**forged))
    verdict = _verify(backend, org.id)
    # The forgery itself chains correctly; the old record 3 (now seq 4) does not follow it.
    assert not verdict.ok and f"record id {rows[2].id} (seq 4)" in verdict.problem


def test_a_kept_head_detects_a_full_rewrite_and_the_cli_reports_it(backend):
    org, rows = _chain(backend, 4)
    kept = _cli(backend, "trail", "head", "--org", org.name)[1].strip()
    assert kept == f"4:{rows[-1].hash}"
    # The operator rewrites everything consistently: record 2 altered, every later hash and
    # the head recomputed. The chain alone verifies again...
    prev = rows[0].hash
    for r in rows[1:]:
        values = {k: getattr(r, k) for k in trail.HASHED}
        values.update(prev_hash=prev, actor_id="intruder-hidden" if r.seq == 2 else r.actor_id)
        prev = trail.chain_hash(values)
        _sql(backend, update(TrailRecord).where(TrailRecord.id == r.id).values(
            prev_hash=values["prev_hash"], actor_id=values["actor_id"], hash=prev))  # fmt: skip
    _sql(backend, update(TrailHead).where(TrailHead.org_id == org.id).values(hash=prev))
    code, out, _ = _cli(backend, "trail", "verify", "--org", org.name)
    assert code == 0 and out.startswith("ok: 4 records")
    # ...but not against the head the customer kept.
    code, _, err = _cli(backend, "trail", "verify", "--org", org.name, "--head", kept)
    assert code == 1
    assert f"record id {rows[-1].id} (seq 4)" in err and "rewritten" in err
    assert _cli(backend, "trail", "verify", "--org", org.name, "--head", "4:zz")[0] == 2
    # A one-row edit fails the plain verify too, naming the record.
    _sql(backend, update(TrailRecord).where(TrailRecord.id == rows[0].id).values(action="x"))
    code, _, err = _cli(backend, "trail", "verify", "--org", org.name)
    assert code == 1 and f"record id {rows[0].id} (seq 1)" in err


def test_access_log_is_per_org_paged_and_filtered(app_client, backend):
    _, key_a, key_id_a = _org(backend)
    _, key_b, _ = _org(backend)
    a, b = _client(app_client, key_a), _client(app_client, key_b)
    ids = [a.post("/task/categorization", json=CATEGORIZATION).json()["task_id"] for _ in range(3)]
    b_task = b.post("/task/categorization", json=CATEGORIZATION).json()["task_id"]
    assert b.get(f"/task/{b_task}").status_code == 200
    assert a.get(f"/task/{ids[0]}").status_code == 200

    seen, token = [], None
    while True:
        params = {"limit": 2, **({"next_token": token} if token else {})}
        page = a.get("/access-log", params=params).json()
        seen += page["docs"]
        token = page["next_token"]
        if not page["has_more"]:
            break
    assert [d["seq"] for d in seen] == [4, 3, 2, 1]  # newest first, every record once
    assert all(b_task not in d["object_ids"] for d in seen)
    assert {d["actor"]["id"] for d in seen} == {str(key_id_a)}

    got = a.get("/access-log", params={"action": "task.get"}).json()["docs"]
    assert [d["object_ids"] for d in got] == [[ids[0]]]
    got = a.get("/access-log", params={"object_id": ids[0]}).json()["docs"]
    assert [d["action"] for d in got] == ["task.get", "task.create"]
    assert a.get("/access-log", params={"actor_kind": "annotator"}).json()["docs"] == []
    assert a.get("/access-log", params={"since": "2999-01-01"}).json()["docs"] == []
    assert a.get("/access-log", params={"object_id": b_task}).json()["docs"] == []
    # B's records stay B's; a token is bound to its org and filters.
    assert [d["action"] for d in b.get("/access-log").json()["docs"]] == ["task.get", "task.create"]
    first = a.get("/access-log", params={"limit": 1}).json()["next_token"]
    assert b.get("/access-log", params={"next_token": first}).status_code == 400
    refused = a.get("/access-log", params={"limit": 1, "action": "x", "next_token": first})
    assert refused.status_code == 400
    assert a.get("/access-log", params={"actor_kind": "nobody"}).status_code == 400
