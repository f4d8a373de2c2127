"""Encryption at rest: customer content sealed under per-org keys, rotation, crypto-shredding.

Real databases (SQLite and PostgreSQL), the app in process, the CLI as another process; the
proof is a scan of the raw database (SQLite files, PostgreSQL `COPY … TO STDOUT` of every
table) and of the media directory for a marker written through every path.
"""

from __future__ import annotations

import base64
import json
import subprocess
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import JSON, bindparam, select, text
from starlette.testclient import TestClient

from labelworks.db import envelope
from labelworks.db.database import Database
from labelworks.db.keyring import KeyDestroyed, KeyError_, KeyRing, load_master_key
from labelworks.db.tables import OrgKey, Task
from labelworks.services import lifecycle, org_keys
from labelworks.services.exports import jobs
from labelworks.services.imports import import_tasks, open_source
from labelworks.services.orgs import create_org
from labelworks.services.projects import create_project, default_project_name
from labelworks.services.scope import Principal
from labelworks.settings import Settings
from tests.conftest import cli

MARK = "QZXMARKER"


def _client(app_client: TestClient, key: str) -> TestClient:
    client = TestClient(app_client.app, base_url="http://testserver/v1")
    client.auth = (key, "")
    return client


def _raw_bytes(backend) -> bytes:
    """Everything the database holds, as stored."""
    if backend.name == "sqlite":
        # Read by another process: closing a descriptor of the database file in this one would
        # drop this process's SQLite locks on it (POSIX lock semantics) and corrupt it.
        files = [str(p) for p in Path(backend.env["LABELWORKS_DATA_DIR"]).glob("labelworks.db*")]
        return subprocess.run(["cat", *files], capture_output=True, check=True).stdout
    out = bytearray()
    with psycopg.connect(backend.database_url.replace("+psycopg", "")) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        ]
        for name in names:
            with conn.cursor().copy(f'COPY "{name}" TO STDOUT') as copy:
                for chunk in copy:
                    out += bytes(chunk)
    return bytes(out)


def _media_bytes(backend) -> bytes:
    media = Path(backend.env["LABELWORKS_DATA_DIR"]) / "media"
    return b"".join(p.read_bytes() for p in media.rglob("*") if p.is_file())


def _stored(db: Database, column: str, task_id: str) -> str:
    with db.read() as session:
        raw = session.execute(
            text(f"SELECT {column} FROM tasks WHERE task_id = :t"), {"t": task_id}
        ).scalar()
    return json.loads(raw) if isinstance(raw, str) and raw.startswith('"') else raw


def _with_key(sealed: str, key_id: int) -> str:
    blob = bytearray(envelope.parse(sealed)[1])
    blob[1:9] = key_id.to_bytes(8, "big")
    return envelope.PREFIX + base64.b64encode(bytes(blob)).decode()


def test_content_is_sealed_at_rest_and_unreadable_after_org_delete(backend, app_client, tmp_path):
    db = backend.db
    name_a, key_a = backend.new_org("crypt")
    _, key_b = backend.new_org("crypt")
    api_a, api_b = _client(app_client, key_a), _client(app_client, key_b)

    upload = api_a.post(
        "/files/upload",
        files={"file": (f"{MARK}.txt", f"{MARK} file body ".encode() * 100_000, "text/plain")},
    )
    assert upload.status_code == 200, upload.text
    created = api_a.post(
        "/task/categorization",
        json={
            "instruction": f"{MARK} instruction",
            "attachment": f"{MARK} attachment",
            "attachment_type": "text",
            "categories": [f"{MARK}-a", "b"],
            "metadata": {"note": f"{MARK} metadata"},
            "unique_id": f"{MARK}-uid",
            "tags": [f"{MARK}-tag", "plain"],
            "callback_url": f"https://{MARK.lower()}.example/cb",
        },
    )
    assert created.status_code == 200, created.text
    task_id = created.json()["task_id"]
    with db.write() as session:
        task = session.scalar(select(Task).where(Task.task_id == task_id))
        lifecycle.complete_task(session, task, {"category": f"{MARK}-a"})  # + outbox payload
    # Bulk import (SQLite: the direct executemany path; PostgreSQL: Core insert with tags).
    principal = Principal(task.org_id, name_a)
    with db.write() as session:
        create_project(session, principal, {"name": "imp", "type": "categorization"})
    source = tmp_path / "rows.jsonl"
    source.write_text(
        "\n".join(
            json.dumps(
                {
                    "attachment": f"{MARK} imported {i}",
                    "attachment_type": "text",
                    "categories": ["a", "b"],
                    "unique_id": f"{MARK}-imp-{i}",
                    "metadata": {"m": MARK},
                    **({"tags": [f"{MARK}-bulk"]} if i % 2 else {}),
                }
            )
            for i in range(20)
        )
    )
    assert import_tasks(db, principal, "imp", None, open_source(source)).imported == 20

    # The API reads plaintext back, and keyed-hash lookups behave as before.
    got = api_a.get(f"/task/{task_id}").json()
    assert got["metadata"] == {"note": f"{MARK} metadata"} and got["unique_id"] == f"{MARK}-uid"
    assert got["response"] == {"category": f"{MARK}-a"} and got["tags"] == [f"{MARK}-tag", "plain"]
    assert api_a.get(f"/files/{upload.json()['id']}/content").content.startswith(MARK.encode())
    assert [
        t["task_id"] for t in api_a.get("/tasks", params={"tags": f"{MARK}-tag"}).json()["docs"]
    ] == [task_id]
    assert len(api_a.get("/tasks", params={"tags": f"{MARK}-bulk"}).json()["docs"]) == 10
    assert len(api_a.get("/tasks", params={"unique_id": f"{MARK}-imp-3"}).json()["docs"]) == 1
    dup = api_a.post("/task/categorization", json={"attachment": "x", "attachment_type": "text",
                     "categories": ["a"], "unique_id": f"{MARK}-imp-3"})  # fmt: skip
    assert dup.status_code == 409 and f"{MARK}-imp-3" in dup.json()["error"]
    assert api_b.get("/tasks", params={"tags": f"{MARK}-tag"}).json()["docs"] == []

    # The web export page's background job: its file on disk is sealed too.
    job_id = jobs.start(db, principal, default_project_name("categorization"), "jsonl")
    for _ in range(600):  # up to a minute on a loaded machine
        with db.read() as session:
            job = jobs.get_job(session, principal, job_id)
        if job.status != jobs.RUNNING:
            break
        time.sleep(0.1)
    assert job.status == jobs.DONE, job.error
    assert f"{MARK} instruction".encode() in b"".join(jobs.read_file(db, job))
    exported = jobs.job_file(db, job)

    # Encrypted at rest, before any delete: the marker is nowhere in the database or media.
    raw = _raw_bytes(backend)
    assert MARK.encode() not in raw and MARK.lower().encode() not in raw
    assert MARK.encode() not in _media_bytes(backend) + exported.read_bytes()

    # Org A's ciphertext, pointed at org B's key, does not open: a clear error.
    sealed = _stored(db, "params", task_id)
    assert api_b.post("/task/categorization", json={"attachment": "b", "attachment_type": "text",
                      "categories": ["a"]}).status_code == 200  # fmt: skip
    with db.read() as session:
        b_key = session.scalar(
            select(OrgKey.id).where(OrgKey.org_id != task.org_id, OrgKey.purpose == "data")
            .where(OrgKey.org_id == select(Task.org_id).where(Task.org_id != task.org_id)
                   .join(OrgKey, OrgKey.org_id == Task.org_id).limit(1).scalar_subquery())
        )  # fmt: skip
    assert b_key is not None
    with pytest.raises(KeyError_, match="another org"):
        db.keyring.open(_with_key(sealed, b_key))

    # Crypto-shredding from another process; this one notices within a second.
    cli(backend.env, "org", "delete", name_a, "--yes")
    time.sleep(1.1)
    assert api_a.get("/tasks").status_code == 401
    with db.read():
        pass  # the unit of work that looks at the key generation
    with pytest.raises(KeyDestroyed):
        db.keyring.open(sealed)
    # A backup restored elsewhere holds the same rows and the same master key, but not the key.
    ring = KeyRing(db.engine, load_master_key(db.settings))
    with pytest.raises(KeyDestroyed):
        ring.open(sealed)
    assert MARK.encode() not in _raw_bytes(backend) + _media_bytes(backend)
    assert not (db.settings.media_dir / str(task.org_id)).exists() and not exported.exists()
    assert api_b.get("/tasks").status_code == 200


def test_rotation_keeps_old_rows_readable_and_reencrypt_seals_legacy_rows(backend, app_client):
    db = backend.db
    name, key = backend.new_org("rot")
    api = _client(app_client, key)

    def create(uid: str) -> str:
        body = {"attachment": uid, "attachment_type": "text", "categories": ["a"], "unique_id": uid,
                "tags": [uid]}  # fmt: skip
        r = api.post("/task/categorization", json=body)
        assert r.status_code == 200, r.text
        return r.json()["task_id"]

    old, legacy = create("before"), create("legacy")
    # A row as written before encryption existed: plaintext, no keyed hash.
    with db.write() as session:
        session.execute(
            text("UPDATE tasks SET params = :p, unique_id = 'legacy', unique_key = NULL"
                 " WHERE task_id = :t").bindparams(bindparam("p", type_=JSON)),
            {"p": {"attachment": "legacy", "categories": ["a"]}, "t": legacy},
        )  # fmt: skip
    assert api.get(f"/task/{legacy}").json()["params"]["attachment"] == "legacy"
    first = envelope.parse(_stored(db, "params", old))[0]
    second = org_keys.rotate(db, name)
    new = create("after")
    assert envelope.parse(_stored(db, "params", new))[0] == second != first
    assert api.get(f"/task/{old}").json()["params"]["attachment"] == "before"

    progress: list[tuple[str, int]] = []
    org_keys.reencrypt(db, name, lambda table, n: progress.append((table, n)))
    assert ("tasks", 3) in progress
    for task_id in (old, legacy, new):
        assert envelope.parse(_stored(db, "params", task_id))[0] == second
    assert envelope.parse(_stored(db, "unique_id", legacy)) is not None
    assert [
        t["task_id"] for t in api.get("/tasks", params={"unique_id": "legacy"}).json()["docs"]
    ] == [legacy]
    assert [t["task_id"] for t in api.get("/tasks", params={"tags": "before"}).json()["docs"]] == [
        old
    ]
    assert api.get(f"/task/{legacy}").json()["params"]["attachment"] == "legacy"


def test_master_key_rotation_rewraps_every_key(tmp_path):
    data = tmp_path / "data"
    env = {**__import__("os").environ, "LABELWORKS_DATA_DIR": str(data)}
    env.pop("LABELWORKS_DATABASE_URL", None)
    env.pop("LABELWORKS_MASTER_KEY", None)
    settings = Settings(data_dir=data)
    db = Database.open(settings)
    key_file = data / "master.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    name = f"mk-{uuid.uuid4().hex[:6]}"
    with db.write() as session:
        out = create_org(session, name)[1]
    from labelworks.api.app import create_app

    with TestClient(create_app(settings, db), base_url="http://testserver/v1") as api:
        api.auth = (out, "")
        r = api.post("/task/categorization", json={"attachment": "secret", "attachment_type": "text",
                     "categories": ["a"]})  # fmt: skip
        task_id = r.json()["task_id"]
    old_master = key_file.read_bytes()
    cli(env, "keys", "rotate-master")
    assert key_file.read_bytes() != old_master and key_file.stat().st_mode & 0o777 == 0o600
    fresh = Database.open(Settings(data_dir=data))
    with fresh.read() as session:
        assert (
            session.scalar(select(Task.params).where(Task.task_id == task_id))["attachment"]
            == "secret"
        )
    db.engine.dispose()
    fresh.engine.dispose()
