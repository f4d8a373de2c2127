"""Least privilege: workers see only what the task needs, API keys can be read-only or limited
to named projects, and every key and every signed-in person has a rate limit of its own."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from starlette.testclient import TestClient

from labelworks.services import orgs
from labelworks.services.work import leases
from labelworks.tasktypes import SUPPORTED_TYPES
from tests.security.helpers import PASSWORD, new_org, new_person, new_project, run_cli

IMG = "https://e.com/a.png"
PARAMS = {
    "categorization": {"attachment": IMG, "categories": ["a", "b"]},
    "comparison": {"prompt": "p", "responses": [{"id": "a", "content": "x"}, {"id": "b", "content": "y"}]},
    "imageannotation": {"attachment": IMG, "geometries": {"box": {"objects_to_annotate": ["car"]}}},
    "namedentityrecognition": {"text": "Hello world", "labels": [{"name": "PER"}]},
    "textcollection": {
        "attachments": [{"type": "text", "content": "x"}],
        "fields": [{"type": "text", "field_id": "a", "title": "A"}],
    },
    "transcription": {"attachment": IMG, "fields": {"total": "Total"}},
    "documenttranscription": {"attachment": IMG},
    "datacollection": {"attachment": IMG, "fields": {"a": "desc"}},
    "segmentannotation": {"attachment": IMG, "labels": ["road"]},
    "annotation": {"attachment": IMG, "objects_to_annotate": ["car"]},
    "polygonannotation": {"attachment": IMG, "objects_to_annotate": ["car"]},
    "lineannotation": {"attachment": IMG, "objects_to_annotate": ["car"]},
    "pointannotation": {"attachment": IMG, "objects_to_annotate": ["car"]},
}  # fmt: skip


def test_workers_see_no_customer_identifiers_for_any_task_type(backend):
    from labelworks.services import projects
    from labelworks.services.tasks import create_task

    assert set(PARAMS) == set(SUPPORTED_TYPES)  # a new type must be added here
    db = backend.db
    principal, _ = new_org(db, "lp-view")
    annotator = new_person(db)
    for kind, params in PARAMS.items():
        marker = uuid.uuid4().hex
        project = f"{kind}-{marker[:6]}"
        with db.write() as session:
            projects.create_project(session, principal, {"name": project, "type": kind})
            create_task(
                session,
                principal,
                kind,
                {
                    **params,
                    "project": project,
                    "metadata": {"customer_ref": f"meta-{marker}"},
                    "unique_id": f"uid-{marker}",
                    "callback_url": f"https://callbacks.example/{marker}",
                    "tags": [f"tag-{marker}"],
                },
            )
        with db.write() as session:
            lease = leases.next_assignment(session, annotator, project, "label", 600)
        assert isinstance(lease, dict), (kind, lease)
        shown = json.dumps(lease)
        assert marker not in shown, (kind, shown)  # metadata, unique_id, callback, tags
        assert principal.org_name not in shown and project not in shown, (kind, shown)
        assert not {"metadata", "unique_id", "callback_url", "tags", "project"} & set(
            lease["task"]
        ), kind


def _client(app_client, key: str) -> TestClient:
    client = TestClient(
        app_client.app, base_url="http://testserver/v1", raise_server_exceptions=False
    )
    client.auth = (key, "")
    return client


def test_read_only_and_project_limited_keys(backend, app_client):
    db = backend.db
    principal, _ = new_org(db, "lp-keys")
    mine, theirs = new_project(db, principal, 2), new_project(db, principal, 2)
    code, out, err = run_cli(
        db, "key", "create", "--org", principal.org_name, "--read-only", "--projects", mine
    )
    assert code == 0, err
    both = _client(app_client, out.strip().splitlines()[-1])
    with db.write() as session:
        org = orgs.get_org(session, principal.org_name)
        reader = _client(app_client, orgs.create_key(session, org, read_only=True))
        scoped = _client(app_client, orgs.create_key(session, org, projects=[mine]))
    body = {"project": mine, "attachment": IMG}

    # Read-only: reads pass, every write is a 403 that says why, and nothing is written.
    assert reader.get("/tasks").status_code == 200
    for path, payload in (("/task/categorization", body), ("/projects", {"name": "n"})):
        r = reader.post(path, json=payload)
        assert r.status_code == 403 and "read-only" in r.json()["error"], r.text
    assert reader.get("/tasks", params={"project": mine}).json()["total"] == 2
    r = both.post("/task/categorization", json=body)
    assert r.status_code == 403

    # Project-limited: the other project and its tasks do not exist for this key.
    listed = scoped.get("/tasks").json()["docs"]
    assert len(listed) == 2 and {t["project"] for t in listed} == {mine}
    other_task = reader.get("/tasks", params={"project": theirs}).json()["docs"][0]["task_id"]
    assert scoped.get(f"/task/{other_task}").status_code == 404
    assert scoped.get(f"/task/{listed[0]['task_id']}").status_code == 200
    assert [p["name"] for p in scoped.get("/projects").json()] == [mine]
    assert scoped.post("/task/categorization", json={**body, "project": theirs}).status_code == 404
    assert scoped.post("/task/categorization", json={"attachment": IMG}).status_code == 403
    assert scoped.post("/projects", json={"name": "new"}).status_code == 403
    assert scoped.get(f"/projects/{theirs}/export", params={"format": "jsonl"}).status_code == 404
    assert scoped.post("/task/categorization", json=body).status_code == 200
    code, out, _ = run_cli(db, "key", "list", "--org", principal.org_name)
    assert code == 0 and "read-only" in out and mine in out


def test_rate_limits_per_key_and_per_login(backend):
    from labelworks.api.app import create_app
    from labelworks.settings import Settings

    settings = Settings(
        data_dir=Path(backend.env["LABELWORKS_DATA_DIR"]),
        database_url=backend.database_url,
        delivery_in_server=False,
        credential_rate_limit_per_second=0.01,
        credential_rate_limit_burst=3,
    )
    app = create_app(settings, backend.db)
    principal, key = new_org(backend.db, "lp-rate")
    with backend.db.write() as session:
        second = orgs.create_key(session, orgs.get_org(session, principal.org_name))
    person = new_person(backend.db)
    with TestClient(app, raise_server_exceptions=False) as client:
        codes = [client.get("/v1/projects", auth=(key, "")).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        # Another key of the same org has its own allowance.
        assert client.get("/v1/projects", auth=(second, "")).status_code == 200
        token = client.post(
            "/auth/login", json={"email": person.email, "password": PASSWORD}
        ).json()["token"]
        bearer = {"Authorization": f"Bearer {token}"}
        codes = [client.get("/work/me", headers=bearer).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]


def test_project_limited_key_reaches_only_its_projects_files(backend, app_client, tmp_path):
    from labelworks.services.imports import import_tasks, open_source
    from labelworks.services.scope import Principal

    db = backend.db
    principal, key = new_org(db, "lp-files")
    mine, theirs = new_project(db, principal), new_project(db, principal)
    admin = _client(app_client, key)
    with db.write() as session:
        org = orgs.get_org(session, principal.org_name)
        scoped = _client(app_client, orgs.create_key(session, org, projects=[mine]))

    def upload(client: TestClient, name: str) -> tuple[str, str]:
        r = client.post("/files/upload", files={"file": (name, b"body " + name.encode())})
        assert r.status_code == 200, r.text
        return r.json()["id"], r.json()["attachment_url"]

    ids = {}
    for name, project in (("mine", mine), ("theirs", theirs), ("both", None)):
        file_id, url = upload(admin, name)
        ids[name] = file_id
        for p in [project] if project else [mine, theirs]:
            r = admin.post("/task/categorization", json={"project": p, "attachment": url})
            assert r.status_code == 200, r.text
    ids["loose"], _ = upload(admin, "loose")  # used by no task yet
    own_id, own_url = upload(scoped, "own")  # the scoped key reads back its own upload
    assert scoped.get(f"/files/{own_id}").status_code == 200
    # Bulk import links too: a file used only by the other project's imported tasks.
    ids["bulk"], bulk_url = upload(admin, "bulk")
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"attachment": bulk_url}) + "\n")
    source = open_source(rows)
    assert import_tasks(db, Principal(principal.org_id, principal.org_name), theirs, None, source)
    assert scoped.post("/task/categorization", json={"project": mine, "attachment": own_url})

    for name, code in (("mine", 200), ("both", 200), ("loose", 200), ("theirs", 404),
                       ("bulk", 404)):  # fmt: skip
        for path in (f"/files/{ids[name]}", f"/files/{ids[name]}/content"):
            assert scoped.get(path).status_code == code, (name, path)
            assert admin.get(path).status_code == 200
    assert scoped.get(f"/files/{own_id}/content").content == b"body own"
