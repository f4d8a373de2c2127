"""Every route declares a policy, and team roles decide what a customer user may do on /v1."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from labelworks.api.openapi import api_routes, other_routes, route_policy

PASSWORD = "correct horse battery"
# Not API routes, and public on purpose: the OpenAPI document, the /docs and page assets.
PUBLIC_NON_API = {"/openapi.json", "/docs/assets/{path}", "/static/{path}"}
PUBLIC_API = {"/healthz", "/docs", "/redoc", "/auth/login", "/auth/invite/accept"}
# Web pages anyone may open: sign-in, sign-out, the invite page.
PUBLIC_PAGES = {"/", "/signout", "/invite/{token}"}


def test_every_route_declares_the_policy_it_asks(app) -> None:
    missing = [
        f"{sorted(r.methods)} {r.path_format}" for r in api_routes(app) if route_policy(r) is None
    ]
    assert missing == [], f"routes without a policy: {missing}"
    public = {r.path_format for r in api_routes(app) if route_policy(r) == "public"}
    assert public == PUBLIC_API | PUBLIC_PAGES
    others = {r.path_format for r in other_routes(app)}
    assert others <= PUBLIC_NON_API, others - PUBLIC_NON_API


def _person(backend, app_client, role: str, org_name: str | None, team_role: str | None):
    """A user (optionally on the org's team) logged in; returns its Bearer headers."""
    from labelworks.db.tables import Org, TeamMember
    from labelworks.services import users

    email = f"{team_role or role}-{uuid.uuid4().hex[:8]}@example.com"
    with backend.db.write() as session:
        org = session.scalar(select(Org).where(Org.name == org_name)) if org_name else None
        user = users.create_user(session, email, role, PASSWORD, org)
        session.flush()
        if org is not None and team_role is not None:
            session.add(TeamMember(org_id=org.id, user_id=user.id, team_role=team_role))
    r = app_client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.fixture(scope="module")
def team(backend, app_client):
    """A fresh org with a project, and one logged-in customer user per team role (logins are
    deliberately slow, so the module shares them)."""
    org_name, key = backend.new_org()
    r = app_client.post(
        "/v1/projects",
        json={"name": "p", "type": "categorization", "params": {"categories": ["a", "b"]}},
        auth=(key, ""),
    )
    assert r.status_code == 200, r.text
    people = {
        role: _person(backend, app_client, "customer", org_name, role)
        for role in ("labeler", "member", "manager", "admin")
    }
    return key, people


# (policy, method, path, json body, the least team role allowed)
CHECKS = [
    ("TaskPolicy.read", "GET", "/v1/tasks", None, "member"),
    ("TaskPolicy.create", "POST", "/v1/task/categorization", {"project": "p"}, "manager"),
    ("TaskPolicy.cancel", "POST", "/v1/task/nope/cancel", None, "manager"),
    ("BatchPolicy.read", "GET", "/v1/batches", None, "member"),
    ("BatchPolicy.create", "POST", "/v1/batches", {"project": "p", "name": "b"}, "manager"),
    ("ProjectPolicy.read", "GET", "/v1/projects/p", None, "member"),
    ("ProjectPolicy.update", "POST", "/v1/projects/p/setParams", {}, "manager"),
    ("FilePolicy.read", "GET", "/v1/files/nope", None, "member"),
    ("FilePolicy.create", "POST", "/v1/files/import", {}, "manager"),
    ("DeliveryPolicy.read", "GET", "/v1/task/nope/deliveries", None, "member"),
    ("DeliveryPolicy.redeliver", "POST", "/v1/task/nope/redeliver", None, "manager"),
    ("ExportPolicy.read", "GET", "/v1/projects/p/export?format=jsonl", None, "member"),
    ("TeamPolicy.read", "GET", "/v1/teams", None, "member"),
    ("TeamPolicy.invite", "POST", "/v1/teams/invite", {}, "admin"),
    ("StudioPolicy.read", "GET", "/v1/studio/assignments", None, "member"),
    ("StudioPolicy.update", "POST", "/v1/studio/assignments/add", {}, "manager"),
]
ROLES = ("labeler", "member", "manager", "admin")


@pytest.mark.parametrize("policy,method,path,body,least", CHECKS, ids=[c[0] for c in CHECKS])
def test_team_roles_on_each_policy(app_client, team, policy, method, path, body, least) -> None:
    key, people = team
    for role in ROLES:
        r = app_client.request(method, path, json=body, headers=people[role])
        if ROLES.index(role) >= ROLES.index(least):
            assert r.status_code not in (401, 403), (policy, role, r.text)
        else:
            assert r.status_code == 403, (policy, role, r.text)
            assert f"needs the team role {least}" in r.json()["error"]
    # An API key acts as the org's admin.
    r = app_client.request(method, path, json=body, auth=(key, ""))
    assert r.status_code not in (401, 403), (policy, r.text)


def test_a_user_acts_within_their_own_org_only(backend, app_client, team) -> None:
    _, people = team
    _, other_key = backend.new_org()
    made = app_client.post(
        "/v1/projects", json={"name": "theirs", "type": "categorization"}, auth=(other_key, "")
    )
    assert made.status_code == 200
    assert app_client.get("/v1/projects/theirs", headers=people["admin"]).status_code == 404
    names = [p["name"] for p in app_client.get("/v1/projects", headers=people["member"]).json()]
    assert names == ["p"]


def test_who_may_not_use_v1_with_a_token(backend, app_client, team) -> None:
    org_name = backend.new_org()[0]
    off_team = _person(backend, app_client, "customer", org_name, None)
    r = app_client.get("/v1/projects", headers=off_team)
    assert r.status_code == 403 and "team" in r.json()["error"]
    annotator = _person(backend, app_client, "annotator", None, None)
    r = app_client.get("/v1/projects", headers=annotator)
    assert r.status_code == 403 and "customer" in r.json()["error"]
    assert (
        app_client.get("/v1/projects", headers={"Authorization": "Bearer nope"}).status_code == 401
    )
    # The worker API is for signed-in people; a labeler may use it.
    assert app_client.get("/work/me", headers=team[1]["labeler"]).status_code == 200
    assert app_client.get("/work/me").status_code == 401


def test_only_reviewers_take_review_work(backend, app_client) -> None:
    annotator = _person(backend, app_client, "annotator", None, None)
    r = app_client.post("/work/next?stage=review", json={}, headers=annotator)
    assert r.status_code == 403 and r.json()["error"].startswith("stage:"), r.text
    reviewer = _person(backend, app_client, "reviewer", None, None)
    assert app_client.post("/work/next?stage=review", json={}, headers=reviewer).status_code in (
        200,
        204,
    )
