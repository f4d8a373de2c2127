"""Operator commands: invite links, project settings and rates, gold tasks, payouts."""

from __future__ import annotations

import csv
import datetime as dt
import json
import uuid

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labelworks.db.tables import Earning, Org, Project, Task, User
from tests.conftest import cli
from tests.workforce import direct

CATS = ["a", "b"]


@pytest.fixture
def db(server):
    return server.backend.db.engine


def _email(name: str = "ann") -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@example.com"


def _project(api: httpx.Client, name: str = "colors") -> None:
    r = api.post(
        "/projects", json={"type": "categorization", "name": name, "params": {"categories": CATS}}
    )
    assert r.status_code == 200, r.text


def _gold_count(db, org_name: str) -> int:
    with Session(db) as s:
        return (
            s.scalar(
                select(func.count())
                .select_from(Task)
                .join(Org, Org.id == Task.org_id)
                .where(Org.name == org_name, Task.kind == "gold")
            )
            or 0
        )


def test_invite_link_accept_then_login_and_the_token_is_single_use(server, api):
    email = _email()
    assert (
        api.post("/teams/invite", json={"emails": [email], "team_role": "labeler"}).status_code
        == 200
    )
    env = {**server.backend.env, "LABELWORKS_PUBLIC_URL": "https://lw.example.org/"}
    link = cli(env, "user", "invite-link", email).stdout.rstrip("\n").splitlines()[-1]
    assert link.startswith("https://lw.example.org/invite/")
    token = link.rsplit("/", 1)[-1]
    assert api.get("/teams").json()[0]["expiry"] is not None  # invite pending

    accept = f"{server.url}/auth/invite/accept"
    short = httpx.post(accept, json={"token": token, "password": "short"})
    assert short.status_code == 400 and "password" in short.json()["error"]
    ok = httpx.post(accept, json={"token": token, "password": "correct horse"})
    assert ok.status_code == 200 and ok.json() == {"email": email, "role": "annotator"}
    login = httpx.post(
        f"{server.url}/auth/login", json={"email": email, "password": "correct horse"}
    )
    assert login.status_code == 200 and login.json()["token"]
    again = httpx.post(accept, json={"token": token, "password": "another password"})
    assert again.status_code == 401 and "token" in again.json()["error"]
    assert httpx.post(accept, json={"token": "made-up", "password": "whatever1"}).status_code == 401
    assert (
        httpx.post(
            f"{server.url}/auth/login", json={"email": email, "password": "another password"}
        ).status_code
        == 401
    )
    assert api.get("/teams").json()[0]["expiry"] is None

    code, _, err = direct.run(server.backend.db, "user", "invite-link", _email("nobody"))
    assert code == 2 and "no user" in err


def test_expired_invite_token_is_refused(server, api, db):
    email = _email()
    api.post("/teams/invite", json={"emails": [email], "team_role": "member"})
    _, out, _ = direct.run(server.backend.db, "user", "invite-link", email)
    token = out.strip().rsplit("/", 1)[-1]
    from labelworks.db.tables import InviteToken

    with Session(db) as s, s.begin():
        user_id = s.scalar(select(User.id).where(User.email == email))
        for row in s.scalars(select(InviteToken).where(InviteToken.user_id == user_id)):
            row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    r = httpx.post(
        f"{server.url}/auth/invite/accept", json={"token": token, "password": "correct horse"}
    )
    assert r.status_code == 401


def test_project_set_validates_and_records_a_param_version(server, api, org, db):
    _project(api)
    env = server.backend.env
    out = cli(
        env,
        "project",
        "set",
        "colors",
        "--org",
        org[0],
        "--overlap",
        "3",
        "--review",
        "--pools",
        "team,platform",
        "--gold-rate",
        "0.1",
        "--rate-per-label",
        "0.05",
        "--rate-per-review",
        "0.02",
    ).stdout
    assert "param version 1" in out
    history = api.get("/projects/colors").json()["param_history"]
    assert [v["version"] for v in history] == [0, 1]
    latest = history[-1]
    assert (latest["overlap"], latest["review"], latest["pools"], latest["gold_rate"]) == (
        3,
        True,
        ["team", "platform"],
        0.1,
    )
    assert latest["categories"] == CATS
    with Session(db) as s:
        project = s.scalar(
            select(Project)
            .join(Org, Org.id == Project.org_id)
            .where(Org.name == org[0], Project.name == "colors")
        )
        assert (project.rate_per_label, project.rate_per_review) == (0.05, 0.02)

    for args, field in (
        (["--gold-rate", "2"], "gold_rate"),
        (["--overlap", "0"], "overlap"),
        (["--pools", "crowd"], "pools"),
        (["--rate-per-label", "-1"], "rate"),
        ([], "options"),
    ):
        code, _, err = direct.run(
            server.backend.db, "project", "set", "colors", "--org", org[0], *args
        )
        assert code == 2 and field in err, (args, err)
    code, _, err = direct.run(
        server.backend.db, "project", "set", "nope", "--org", org[0], "--review"
    )
    assert code == 2 and "nope" in err
    # Rates alone do not make a new param version.
    code, out, _ = direct.run(
        server.backend.db, "project", "set", "colors", "--org", org[0], "--rate-per-label", "0.07"
    )
    assert code == 0 and "param version 1" in out
    assert len(api.get("/projects/colors").json()["param_history"]) == 2


def test_gold_add_is_all_or_nothing(server, api, org, db, tmp_path):
    _project(api)
    good = {"attachment": "https://example.com/a.png", "expected_response": {"category": "a"}}
    lines = [
        good,
        {**good, "expected_response": {"category": "b"}},
        {**good, "expected_response": {"category": "zebra"}},
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    env = server.backend.env
    code, _, err = direct.run(
        server.backend.db, "gold", "add", "--org", org[0], "--project", "colors", str(path)
    )
    assert code == 2 and "line 3: expected_response" in err, err
    assert _gold_count(db, org[0]) == 0

    path.write_text(json.dumps(good) + "\n{not json\n")
    code, _, err = direct.run(
        server.backend.db, "gold", "add", "--org", org[0], "--project", "colors", str(path)
    )
    assert code == 2 and "line 2: body: malformed JSON" in err, err

    path.write_text("\n".join(json.dumps(line) for line in lines[:2] * 2) + "\n\n")
    ok = cli(env, "gold", "add", "--org", org[0], "--project", "colors", str(path))
    assert "added 4 gold task(s)" in ok.stdout
    assert _gold_count(db, org[0]) == 4


def test_payouts_export_sums_the_ledger_in_the_window(server, api, org, db, tmp_path):
    ann, bob = _email("ann"), _email("bob")
    api.post("/teams/invite", json={"emails": [ann, bob], "team_role": "labeler"})
    _project(api)
    other_name, other_key = server.backend.new_org("payer")
    with httpx.Client(base_url=server.v1, auth=(other_key, "")) as other:
        _project(other)
    # A window far in the past, so ledger rows written by other tests never fall inside it.
    start = dt.datetime(2001, 3, 1, tzinfo=dt.UTC)
    with Session(db) as s, s.begin():
        users = dict(s.execute(select(User.email, User.id).where(User.email.in_([ann, bob]))).all())
        projects = dict(
            s.execute(
                select(Org.name, Project.id)
                .join(Project, Project.org_id == Org.id)
                .where(Org.name.in_([org[0], other_name]))
            ).all()
        )
        orgs = dict(
            s.execute(select(Org.name, Org.id).where(Org.name.in_([org[0], other_name]))).all()
        )

        def earn(email: str, kind: str, amount: float, at: dt.datetime, org_name: str = org[0]):
            s.add(
                Earning(
                    user_id=users[email],
                    org_id=orgs[org_name],
                    project_id=projects[org_name],
                    kind=kind,
                    amount=amount,
                    created_at=at,
                )
            )

        for i in range(3):
            earn(ann, "label", 0.1, start + dt.timedelta(hours=i))
        earn(ann, "review", 0.25, start + dt.timedelta(days=3))
        earn(ann, "adjustment", -0.05, start + dt.timedelta(days=4))
        earn(ann, "label", 0.1, start + dt.timedelta(days=5), other_name)
        earn(bob, "label", 1.005, start + dt.timedelta(days=30, seconds=-1))
        earn(bob, "label", 9.0, start + dt.timedelta(days=30))  # == --to: excluded
        earn(bob, "label", 9.0, start - dt.timedelta(seconds=1))  # before --from: excluded

    out = tmp_path / "payouts.csv"
    env = server.backend.env
    msg = cli(
        env, "payouts", "export", "--from", "2001-03-01", "--to", "2001-03-31", "-o", str(out)
    ).stdout
    assert "wrote 2 annotator(s)" in msg
    rows = list(csv.reader(out.open()))
    assert rows == [
        ["email", "labels", "reviews", "amount"],
        [ann, "4", "1", "0.60"],
        [bob, "1", "0", "1.01"],
    ]

    code, only, _ = direct.run(
        server.backend.db,
        "payouts",
        "export",
        "--from",
        "2001-03-01T00:00:00Z",
        "--to",
        "2001-03-31",
        "--org",
        org[0],
        "-o",
        "-",
    )
    assert code == 0 and only.splitlines()[1:] == [f"{ann},3,1,0.50", f"{bob},1,0,1.01"]

    code, _, err = direct.run(
        server.backend.db,
        "payouts",
        "export",
        "--from",
        "2001-03-31",
        "--to",
        "2001-03-01",
        "-o",
        "-",
    )
    assert code == 2 and "to: must be after" in err
    code, _, err = direct.run(
        server.backend.db, "payouts", "export", "--from", "March", "--to", "2001-03-01", "-o", "-"
    )
    assert code == 2 and "from: must be an ISO date" in err
