"""Org administration in a real browser (`/org/...`): a customer admin made by `labelworks user
create` signs in, creates and revokes an API key (used against /v1 in between), changes a
project's settings (a bad value is refused next to its field and changes nothing), invites a
teammate, exports COCO in the background and loads the download in pycocotools; a read-only
teammate gets 403 on a POST; another org sees none of it. axe on every page, light and dark."""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any
from unittest import mock

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.web.conftest import PASSWORD, Customer, sign_in
from tests.web.test_accessibility import _check, _context

pytestmark = pytest.mark.ui_on_sqlite  # see tests/conftest.py

GEOMETRIES = {"box": {"objects_to_annotate": ["car", "person"]}}
BOX = {"type": "box", "label": "car", "left": 10, "top": 20, "width": 30, "height": 40}


def cli_user(db: Any, org: str, *options: str) -> tuple[str, str]:
    """`labelworks user create` on the test database (in-process); -> (email, its output)."""
    from typer.testing import CliRunner

    from labelworks.cli import app
    from labelworks.commands import admin

    email = f"cust-{uuid.uuid4().hex[:8]}@example.com"
    args = ["user", "create", email, "--role", "customer", "--org", org, "--password", PASSWORD]
    with mock.patch.object(admin, "open_database", lambda: db):
        result = CliRunner().invoke(app, [*args, *options])
    assert result.exit_code == 0, result.stderr
    return email, result.stdout


def completed_image_tasks(db: Any, customer: Customer, n: int = 2) -> str:
    """A box project with `n` tasks completed the way the workforce completes them."""
    from labelworks.db.tables import Task
    from labelworks.services.completion import complete_task

    project = customer.project("imageannotation", {"geometries": GEOMETRIES})
    ids = [
        customer.task(
            "imageannotation",
            project,
            {"attachment": f"https://e.com/{i}.jpg", "metadata": {"width": 640, "height": 480}},
        )
        for i in range(n)
    ]
    with db.write() as session:
        for task_id in ids:
            task = session.scalar(select(Task).where(Task.task_id == task_id).with_for_update())
            complete_task(session, task, {"annotations": [{**BOX, "uuid": str(uuid.uuid4())}]})
    return project


def test_user_create_team_roles(backend):
    """A customer lands on the team (default member); a team role is for customers only."""
    from typer.testing import CliRunner

    from labelworks.cli import app
    from labelworks.commands import admin
    from labelworks.db.tables import TeamMember, User

    name, _ = backend.new_org("cli")
    email, said = cli_user(backend.db, name)
    assert "team role member" in said
    with backend.db.read() as session:
        role = session.scalar(
            select(TeamMember.team_role).join(User, User.id == TeamMember.user_id)
            .where(User.email == email)
        )  # fmt: skip
    assert role == "member"
    for args, why in (
        (["--role", "annotator", "--org", name, "--team-role", "admin"], "only customer users"),
        (["--role", "customer", "--org", name, "--team-role", "labeler"], "member, manager"),
        (["--role", "customer", "--org", name, "--team-role", "owner"], "must be one of"),
    ):
        with mock.patch.object(admin, "open_database", lambda: backend.db):
            result = CliRunner().invoke(
                app,
                [
                    "user",
                    "create",
                    f"x-{uuid.uuid4().hex[:6]}@e.com",
                    *args,
                    "--password",
                    PASSWORD,
                ],
            )
        assert result.exit_code != 0 and why in result.stderr, result.stderr


def csrf_of(page: Any) -> str:
    return page.locator('meta[name="csrf-token"]').get_attribute("content")


def test_customer_admin_runs_the_org_and_others_cannot(web_server, browser, customer, tmp_path):
    from pycocotools.coco import COCO

    s, db = web_server, web_server.backend.db
    admin_email, said = cli_user(db, customer.name, "--team-role", "admin")
    assert "team role admin" in said
    viewer_email, said = cli_user(db, customer.name, "--team-role", "viewer")
    assert "team role member" in said  # viewer is the read-only member role
    violations: list[str] = []
    context = browser.new_context(viewport={"width": 1100, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    sign_in(page, s, admin_email)
    page.wait_for_url(f"{s.url}/projects")

    # A live key: shown once, works on /v1, then revoked (confirmed) and refused within 1 s.
    page.goto(f"{s.url}/org")
    page.get_by_label("Live").check()
    page.get_by_role("button", name="Create key").click()
    key = page.get_by_label("API key", exact=True).input_value()
    assert key.startswith("live_")
    assert httpx.get(f"{s.v1}/projects", auth=(key, "")).status_code == 200
    page.goto(f"{s.url}/org")
    page.get_by_role("link", name=f"Revoke key {key[:13]}").click()
    page.get_by_role("button", name="Revoke key").click()
    page.wait_for_url(f"{s.url}/org")
    revoked_at = time.monotonic()
    row = page.get_by_role("row").filter(has_text=key[:13])
    expect(row).to_contain_text("revoked")
    while httpx.get(f"{s.v1}/projects", auth=(key, "")).status_code != 401:
        assert time.monotonic() - revoked_at < 1.5, "a revoked key still works"
        time.sleep(0.05)
    key_id = db_key_id(db, key)

    # The callback secret: masked, rotated (the new one shown), the org's row changed.
    before = callback_secret(db, customer.org_id)
    expect(page.get_by_text(before[-4:], exact=False)).to_be_visible()
    assert before not in page.content()
    page.get_by_role("button", name="Rotate callback secret").click()
    rotated = page.get_by_label("Callback secret", exact=True).input_value()
    assert rotated != before and rotated == callback_secret(db, customer.org_id)

    # Project settings: a bad overlap is a 400 next to the field with nothing changed.
    project = customer.project("categorization", {"categories": ["a", "b"]})
    history = customer.api.get(f"/projects/{project}").json()["param_history"]
    page.goto(f"{s.url}/org/projects")
    form = page.get_by_role("form", name=re.compile(project))
    form.get_by_label("Overlap (labels per task)").fill("0")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        form.get_by_role("button", name=f"Save settings of {project}").click()
    assert answer.value.status == 400
    form = page.get_by_role("form", name=re.compile(project))
    overlap = form.get_by_label("Overlap (labels per task)")
    expect(overlap).to_have_attribute("aria-invalid", "true")
    expect(form.locator("#" + overlap.get_attribute("aria-describedby"))).to_contain_text(
        "greater than or equal to 1"
    )
    assert customer.api.get(f"/projects/{project}").json()["param_history"] == history
    overlap.fill("3")
    form.get_by_label("Review stage").check()
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        form.get_by_role("button", name=f"Save settings of {project}").click()
    assert answer.value.status == 200
    params = customer.api.get(f"/projects/{project}").json()["param_history"][-1]
    assert params["overlap"] == 3 and params["review"] is True

    # Invite a teammate: the link works once and makes them an active manager.
    invitee = f"new-{uuid.uuid4().hex[:8]}@example.com"
    page.goto(f"{s.url}/org/team")
    expect(page.get_by_role("row").filter(has_text=viewer_email)).to_contain_text("member")
    page.get_by_label("Email", exact=True).fill(invitee)
    page.get_by_label("Team role", exact=True).select_option("manager")
    page.get_by_role("button", name="Invite").click()
    link = page.get_by_label(re.compile("Invite link")).input_value()
    assert link.startswith(f"{s.url}/invite/")
    expect(page.get_by_role("row").filter(has_text=invitee)).to_contain_text("pending")
    token = link.rsplit("/", 1)[1]
    accepted = httpx.post(
        f"{s.url}/auth/invite/accept", json={"token": token, "password": PASSWORD}
    )
    assert accepted.status_code == 200, accepted.text
    page.reload()
    expect(page.get_by_role("row").filter(has_text=invitee)).to_contain_text("active")
    # ...and an admin changes a role.
    page.get_by_label(f"Role of {invitee}").select_option("admin")
    page.get_by_role("button", name=f"Save role of {invitee}").click()
    page.wait_for_url(f"{s.url}/org/team")
    expect(page.get_by_role("row").filter(has_text=invitee)).to_contain_text("admin")

    # Export COCO in the background; the page shows progress and the file loads in pycocotools.
    images = completed_image_tasks(db, customer)
    page.goto(f"{s.url}/org/exports")
    page.get_by_label("Project").select_option(images)
    page.get_by_label("Format").select_option("coco")
    page.get_by_role("button", name="Export").click()
    page.wait_for_url(f"{s.url}/org/exports")
    job = page.locator("[data-export-job]").first
    download = job.get_by_role("link", name=re.compile("Download"))
    expect(download).to_be_visible(timeout=15000)
    expect(job.locator("progress")).to_have_attribute("value", "2")
    with page.expect_download() as got:
        download.click()
    assert got.value.suggested_filename == f"{images}-coco.json"
    path = tmp_path / "coco.json"
    got.value.save_as(path)
    coco = COCO(str(path))
    assert len(coco.getImgIds()) == 2 and len(coco.getAnnIds()) == 2
    job_url = job.get_attribute("data-export-job")

    # The page's script: a row served as still running is polled until its file is ready.
    served: list[str] = []

    def as_running(route: Any) -> None:
        html = route.fetch().text()
        html = html.replace('data-status="done"', 'data-status="running"', 1)
        html = re.sub(r'value="2"', 'value="0"', html, count=1)
        html = html.replace('class="job-download" href=', 'class="job-download" hidden href=', 1)
        served.append(html)
        route.fulfill(body=html, headers={"content-type": "text/html; charset=utf-8"})

    page.route(f"{s.url}/org/exports", as_running)
    page.reload()
    assert 'data-status="running"' in served[0] and 'value="0"' in served[0]
    expect(job.locator("progress")).to_have_attribute("value", "2", timeout=5000)
    expect(download).to_be_visible()
    page.unroute(f"{s.url}/org/exports")
    job_file = f"{s.url}{job_url}/file"

    # A missing CSRF token is a 403 even for an admin.
    assert page.request.post(f"{s.url}/org/keys", form={"kind": "live"}).status == 403
    context.close()

    # The read-only teammate sees the views, no forms, and gets 403 on every POST.
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, s, viewer_email, next="/org")
    page.wait_for_url(f"{s.url}/org")
    expect(page.get_by_role("row").filter(has_text=key[:13])).to_contain_text("revoked")
    expect(page.get_by_role("button", name="Create key")).to_have_count(0)
    csrf = csrf_of(page)
    for url, form_ in (
        ("/org/keys", {"kind": "live"}),
        ("/org/callback-secret", {}),
        ("/org/team/invite", {"email": "x@example.com", "team_role": "admin"}),
        (f"/org/projects/{project}/settings", {"overlap": "5", "gold_rate": "0"}),
    ):
        answer = page.request.post(f"{s.url}{url}", form={"csrf_token": csrf, **form_})
        assert answer.status == 403, url
    assert customer.api.get(f"/projects/{project}").json()["param_history"][-1]["overlap"] == 3
    assert page.request.get(job_file).status == 200  # exports are a member's right
    context.close()

    # Another org's admin: nothing of org A anywhere; A's key and job are 404s.
    other = other_org_admin(s)
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, s, other, next="/org")
    page.wait_for_url(f"{s.url}/org")
    for where in ("/org", "/org/team", "/org/projects", "/org/exports"):
        page.goto(f"{s.url}{where}")
        text = page.content()
        for secret in (key[:13], admin_email, viewer_email, invitee, project, images):
            assert secret not in text, (where, secret)
    assert page.request.get(f"{s.url}{job_url}").status == 404
    assert page.request.get(job_file).status == 404
    stolen = page.request.post(
        f"{s.url}/org/keys/{key_id}/revoke", form={"csrf_token": csrf_of(page)}
    )
    assert stolen.status == 404
    context.close()

    # axe, light and dark, on each org page.
    findings: dict[str, Any] = {}
    context = _context(browser)
    page = context.new_page()
    sign_in(page, s, admin_email, next="/org")
    page.wait_for_url(f"{s.url}/org")
    for where in ("/org", "/org/team", "/org/projects", "/org/exports"):
        page.goto(f"{s.url}{where}")
        _check(page, where, findings)
    context.close()
    assert not findings, json.dumps(findings, indent=1)
    assert not violations, violations


def db_key_id(db: Any, key: str) -> int:
    from labelworks.db.tables import ApiKey
    from labelworks.services.ids import hash_api_key

    with db.read() as session:
        return session.scalar(select(ApiKey.id).where(ApiKey.key_hash == hash_api_key(key)))


def callback_secret(db: Any, org_id: int) -> str:
    from labelworks.db.tables import Org

    with db.read() as session:
        return session.scalar(select(Org.callback_secret).where(Org.id == org_id))


def other_org_admin(server: Any) -> str:
    """An admin of a fresh org, made the way `org create --owner` makes one."""
    from labelworks.services import orgs, teams, users

    email = f"other-{uuid.uuid4().hex[:8]}@example.com"
    name, _ = server.backend.new_org("other")
    with server.backend.db.write() as session:
        org = orgs.get_org(session, name)
        teams.join_team(
            session, org, users.create_user(session, email, "customer", PASSWORD, org), "admin"
        )
    return email
