"""No silent operator access: an operator reads task content (the task view, CLI exports) only
under an active break-glass grant, which the customer sees (`GET /v1/breakglass`, `/org/access`)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from labelworks import clock
from labelworks.db.tables import Task
from labelworks.services.scope import Principal
from tests.security.helpers import (
    new_customer_admin,
    new_org,
    new_person,
    new_project,
    run_cli,
    signed_in,
)


def _task_with_marker(db, principal: Principal) -> tuple[str, str, str]:
    from labelworks.services.tasks import create_task

    project = new_project(db, principal)
    marker = f"secret-{uuid.uuid4().hex[:8]}"
    with db.write() as session:
        create_task(
            session,
            principal,
            "categorization",
            {"project": project, "attachment": "https://e.com/1.png", "instruction": marker},
        )
        task_id = session.scalar(
            select(Task.task_id).where(
                Task.org_id == principal.org_id, Task.project_id.is_not(None)
            )
        )
    assert task_id is not None
    return project, task_id, marker


def test_cli_export_needs_a_grant_and_the_customer_sees_it(backend, app_client, tmp_path):
    db = backend.db
    principal, key = new_org(db, "bg")
    project, _, _ = _task_with_marker(db, principal)
    export = ["export", "--org", principal.org_name, "--project", project, "-f", "jsonl", "--all"]
    code, _, err = run_cli(db, *export, "-o", str(tmp_path / "a.jsonl"))
    assert code == 2 and "no active break-glass grant" in err
    assert not (tmp_path / "a.jsonl").exists()
    code, _, err = run_cli(db, "breakglass", "--org", principal.org_name, "--reason", "x")
    assert code == 2 and "reason" in err  # a reason of a few words is required
    reason = "ticket 4711: customer asked for a re-export"
    code, out, err = run_cli(
        db, "breakglass", "--org", principal.org_name, "--reason", reason, "--minutes", "30"
    )
    assert code == 0 and "the customer sees it" in out, err
    code, _, err = run_cli(db, *export, "-o", str(tmp_path / "b.jsonl"))
    assert code == 0, err
    # The customer sees the grant: on the API (any team member) and on its page.
    from starlette.testclient import TestClient

    api = TestClient(app_client.app, base_url="http://testserver/v1", raise_server_exceptions=False)
    api.auth = (key, "")
    (grant,) = api.get("/breakglass").json()["grants"]
    assert grant["reason"] == reason and grant["active"] is True
    assert grant["operator"].startswith("command line")
    # On the org's trail too: the grant and the export made under it, with the grant's reason.
    log = api.get("/access-log", params={"actor_kind": "operator"}).json()["docs"]
    assert [d["action"] for d in log] == ["export.read", "breakglass.grant"]
    assert all(reason in d["reason"] for d in log)
    assert log[0]["object_ids"] == [project]
    browser = signed_in(app_client, new_customer_admin(db, principal))
    page = browser.get("/org/access")
    assert page.status_code == 200 and reason in page.text
    try:  # past the window the export is refused again, the grant listed as expired
        clock.advance(dt.timedelta(minutes=31).total_seconds())
        code, _, err = run_cli(db, *export, "-o", str(tmp_path / "c.jsonl"), "--force")
        assert code == 2 and "break-glass" in err
        assert api.get("/breakglass").json()["grants"][0]["active"] is False
    finally:
        clock.set_offset(0.0)


def test_operator_task_view_is_403_without_a_grant_and_open_with_one(backend, app_client):
    db = backend.db
    principal, key = new_org(db, "bg-op")
    other, _ = new_org(db, "bg-other")
    _, task_id, marker = _task_with_marker(db, principal)
    operator = new_person(db, "admin")
    browser = signed_in(app_client, operator.email)
    refused = browser.get(f"/operator/tasks/{task_id}")
    assert refused.status_code == 403 and "no active break-glass grant" in refused.text
    assert marker not in refused.text
    # A grant on another org, or for the command line only, does not open this one.
    for org, who in ((other.org_name, ["--operator", operator.email]), (principal.org_name, [])):
        code, _, err = run_cli(
            db, "breakglass", "--org", org, "--reason", "incident 12 triage", *who
        )
        assert code == 0, err
        assert browser.get(f"/operator/tasks/{task_id}").status_code == 403
    code, _, err = run_cli(
        db, "breakglass", "--org", principal.org_name, "--reason", "incident 12 triage",
        "--operator", operator.email, "--minutes", "5",
    )  # fmt: skip
    assert code == 0, err
    opened = browser.get(f"/operator/tasks/{task_id}")
    assert opened.status_code == 200 and marker in opened.text
    # The customer's trail: the grants on its org (not the other org's) and the read under one.
    from starlette.testclient import TestClient

    api = TestClient(app_client.app, base_url="http://testserver/v1", raise_server_exceptions=False)
    api.auth = (key, "")
    log = api.get("/access-log", params={"actor_kind": "operator"}).json()["docs"]
    assert [d["action"] for d in log] == ["task.get", "breakglass.grant", "breakglass.grant"]
    assert log[0]["object_ids"] == [task_id] and "incident 12 triage" in log[0]["reason"]
    assert log[0]["actor"]["id"] == log[1]["actor"]["id"] != log[2]["actor"]["id"]
    # Not an operator: the page is refused whatever the grants.
    customer = signed_in(app_client, new_customer_admin(db, principal))
    assert customer.get(f"/operator/tasks/{task_id}").status_code == 403
    code, _, err = run_cli(
        db, "breakglass", "--org", principal.org_name, "--reason", "incident 12 triage",
        "--operator", "nobody@example.com",
    )  # fmt: skip
    assert code == 2 and "operator" in err


def test_walls_form_records_requests_with_csrf(backend, app_client):
    db = backend.db
    principal, _ = new_org(db, "bg-walls")
    browser = signed_in(app_client, new_customer_admin(db, principal))
    page = browser.get("/org/walls")
    assert page.status_code == 200 and 'name="competitors"' in page.text
    csrf = page.text.split('name="csrf-token" content="')[1].split('"')[0]
    sent = {"competitors": "Acme Labs\n\n  Umbrella  Corp ", "days": "45", "csrf_token": csrf}
    done = browser.post("/org/walls", data=sent)
    assert done.status_code == 200 and "Recorded 2 name(s), 45 day(s)" in done.text
    assert "Umbrella Corp" in done.text
    bad = browser.post("/org/walls", data={**sent, "days": "0"})
    assert bad.status_code == 400 and "days" in bad.text
    assert browser.post("/org/walls", data={**sent, "csrf_token": "x"}).status_code == 403
