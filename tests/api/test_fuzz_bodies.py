"""Property: arbitrary JSON to every write route is answered 2xx or 4xx, never 5xx, and a 4xx
changes no row (issue 9, "Tests"). In-process (the `app_client` tier), on both databases.

Routes come from `app.routes`, so a new write route is fuzzed without editing this file;
customer routes carry an API key, worker routes a bearer token. Bodies mix arbitrary JSON with
what the databases cannot store (lone surrogates, NUL, 5,000-digit and out-of-range numbers,
NaN/Infinity, nesting 100 deep, 100,000-character strings) and plausible bodies with one bad
value. `LABELWORKS_FUZZ_EXAMPLES` sets the examples per route (default 15).
"""

from __future__ import annotations

import json
import os
import re
import uuid
from typing import Any

from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from labelworks.db.tables import Base

EXAMPLES = int(os.environ.get("LABELWORKS_FUZZ_EXAMPLES", "15"))
IMG = "https://e.com/a.png"
HUGE = "__huge_number__"  # replaced by a 5,000-digit literal in the raw body
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Rows a 4xx may legitimately add: failed logins are counted (that is the throttle), and the
# live servers of other tests in this session may record callback attempts meanwhile; a refused
# write may still have read the org's content first, and that read is on the access trail.
NOT_COUNTED = {
    "login_failures",
    "outbox",
    "delivery_attempts",
    "instance_secrets",
    "trail_records",
    "trail_heads",
}

BAD_STRINGS = [
    "\ud800",
    "x\udfffy",
    "a\x00b",
    "",
    " ",
    "a/b",
    "x" * 100_000,
    "a" * 100_000 + "@x.y",
    "http://[::1",
    "http://e.com:99999/a",
    "ftp://x",
    "0001-01-01T00:00:00+01:00",
    "categorization",
    "p",
    "labeler",
    HUGE,
]
KEYS = [
    "project",
    "name",
    "type",
    "params",
    "attachment",
    "attachment_type",
    "categories",
    "metadata",
    "callback_url",
    "callback",
    "unique_id",
    "tags",
    "instruction",
    "emails",
    "team_role",
    "projects",
    "file_url",
    "token",
    "password",
    "email",
    "response",
    "decision",
    "batch",
    "batches",
    "priority",
    "accepted",
    "stage",
    "overlap",
    "add_emails",
    "remove_emails",
    "groups",
]
BASES: list[dict[str, Any]] = [
    {"project": "p", "attachment": IMG, "categories": ["a", "b"]},
    {"name": "n", "type": "categorization", "params": {"categories": ["a"]}},
    {"name": "n", "project": "p"},
    {"emails": ["a@b.c"], "team_role": "labeler"},
    {"email": "a@b.c", "password": "pw"},
    {"response": {"category": "a"}},
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**63 - 2, max_value=2**80)
    | st.integers(min_value=-(2**80), max_value=-(2**63) + 1)
    | st.floats()  # NaN, Infinity and -Infinity included
    | st.just(1e308)
    | st.text(max_size=12)
    | st.sampled_from(BAD_STRINGS)
)
keys = st.sampled_from(KEYS) | st.text(max_size=6) | st.sampled_from(["\ud800", "k\x00"])
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=10,
)


bodies = st.one_of(
    values,
    st.dictionaries(keys, values, max_size=6),
    st.builds(
        lambda base, extra: {**base, **extra},
        st.sampled_from(BASES),
        st.dictionaries(st.sampled_from(KEYS), values, max_size=2),
    ),
    st.builds(
        lambda base, key, depth: {**base, key: f"__deep_{depth}__"},
        st.sampled_from(BASES),
        st.sampled_from(KEYS),
        st.sampled_from([63, 70, 2000]),
    ),
)


DEEP = re.compile(rb'"__deep_(\d+)__"')  # replaced by a list nested that deep


def encode(body: Any) -> bytes:
    raw = json.dumps(body, allow_nan=True).encode()  # ensure_ascii: surrogates as \\ud800
    raw = raw.replace(json.dumps(HUGE).encode(), b"1" + b"0" * 5000)
    return DEEP.sub(lambda m: b"[" * int(m.group(1)) + b"1" + b"]" * int(m.group(1)), raw)


def write_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every write route, through included routers."""

    def walk(routes: list[Any], prefix: str) -> Any:
        for route in routes:
            if isinstance(route, APIRoute):
                yield prefix + route.path, route
            elif hasattr(route, "include_context"):  # FastAPI's lazily included routers
                ctx = route.include_context
                yield from walk(ctx.included_router.routes, prefix + ctx.prefix)
            elif hasattr(route, "routes"):
                yield from walk(route.routes, prefix + getattr(route, "path", ""))

    found = set()
    for path, route in walk(app.routes, ""):
        for method in route.methods & WRITE_METHODS:
            found.add((method, path))
    return sorted(found)


def row_counts(db) -> dict[str, int]:
    tables = [t.name for t in Base.metadata.sorted_tables if t.name not in NOT_COUNTED]
    query = "SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in tables)
    with db.read() as session:
        return dict(zip(tables, session.execute(text(query)).one(), strict=True))


def _seed(client, app_client, backend) -> dict[str, str]:
    """An org with a project, a batch, a task, a file, a group, and an annotator holding a lease."""
    from labelworks.services import users

    cats = {"categories": ["a", "b"]}
    r = client.post("/projects", json={"name": "p", "type": "categorization", "params": cats})
    assert r.status_code == 200, r.text
    assert client.post("/batches", json={"name": "b", "project": "p"}).status_code == 200
    task = client.post("/task/categorization", json={"project": "p", "attachment": IMG}).json()
    file = client.post("/files/upload", files={"file": ("a.txt", b"hello", "text/plain")}).json()
    client.post("/teams/invite", json={"emails": ["g@example.com"], "team_role": "labeler"})
    client.post("/studio/projects/p/groups", json={"emails": ["g@example.com"], "name": "g"})
    email = f"fuzz-{uuid.uuid4().hex[:8]}@example.com"
    with backend.db.write() as session:
        users.create_user(session, email, "annotator", "fuzz password")
    token = app_client.post("/auth/login", json={"email": email, "password": "fuzz password"})
    bearer = {"Authorization": f"Bearer {token.json()['token']}"}
    lease = app_client.post("/work/next", json={"project": "p"}, headers=bearer)
    assignment = str(lease.json()["assignment_id"]) if lease.status_code == 200 else "1"
    return {
        "task_id": task["task_id"],
        "task_type": "categorization",
        "project": "p",
        "group": "g",
        "file_id": file.get("id", "x"),
        "assignment_id": assignment,
        "bearer": bearer["Authorization"],
        "token": "not-an-invite-token",  # the invite page's path
        "user_id": "1",  # operator pages (signed out here: refused before the body is read)
        "key_id": "1",  # org admin pages (likewise)
    }


def _fill(path: str, seeded: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "name":
            return "p" if "/projects/" in path else "b"
        return seeded[name]

    return re.sub(r"\{(\w+)\}", value, path)


def _property(app_client, backend, method: str, url: str, auth: dict[str, Any]) -> Any:
    """The property for one route, as a hypothesis test to call."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(body=bodies)
    def one(body: Any) -> None:
        raw = encode(body)
        before = row_counts(backend.db)
        headers = {"content-type": "application/json", **auth.get("headers", {})}
        r = app_client.request(method, url, content=raw, headers=headers, auth=auth.get("auth"))
        assert r.status_code < 500, f"{method} {url} {raw[:300]!r} -> {r.status_code} {r.text}"
        if 400 <= r.status_code < 500:
            after = row_counts(backend.db)
            changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
            assert not changed, f"{method} {url} {raw[:300]!r} -> {r.status_code}: {changed}"

    return one


def test_arbitrary_json_to_every_write_route_is_never_a_5xx(app_client, inproc_api, backend):
    seeded = _seed(inproc_api, app_client, backend)
    key = inproc_api.auth
    routes = write_routes(app_client.app)
    assert len(routes) >= 30  # the enumeration found the app's routes
    failures: list[str] = []

    for method, path in routes:
        url = _fill(path, seeded)
        if path.startswith("/v1/"):
            auth: dict[str, Any] = {"auth": key}
        elif path.startswith("/work/"):
            auth = {"headers": {"Authorization": seeded["bearer"]}}
        else:
            auth = {}

        one = _property(app_client, backend, method, url, auth)
        try:
            one()
        except AssertionError as exc:
            failures.append(str(exc)[:2000])
    assert not failures, "\n\n".join(failures)
