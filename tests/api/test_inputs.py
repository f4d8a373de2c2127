"""Input hardening: what the databases cannot store or serve back is a 400 naming the field,
before anything is written (issue 9, "Eleven kinds of input end in a 500"), on both databases."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from labelworks.api import safe_json
from labelworks.errors import InvalidRequest

IMG = "https://e.com/a.png"
TABLES = ("projects", "batches", "tasks", "task_tags", "files", "login_failures", "users")


def counts(backend) -> dict[str, int]:
    with backend.db.read() as session:
        return {t: session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


@pytest.fixture
def project(inproc_api) -> str:
    r = inproc_api.post(
        "/projects",
        json={"name": "p", "type": "categorization", "params": {"categories": ["a", "b"]}},
    )
    assert r.status_code == 200, r.text
    return "p"


def raw_post(client, path: str, raw: bytes):
    return client.post(path, content=raw, headers={"content-type": "application/json"})


# (raw JSON body of a task create, the field path the error must name)
BAD_TASK_BODIES = [
    (b'{"metadata": {"a": {"b": "\\ud800"}}}', "metadata.a.b"),
    (b'{"metadata": {"a": "x\\u0000y"}}', "metadata.a"),
    (b'{"metadata": {"k\\u0000": 1}}', "metadata.k"),
    (b'{"instruction": "\\u0000"}', "instruction"),
    (b'{"metadata": {"n": 9223372036854775808}}', "metadata.n"),
    (b'{"metadata": {"n": -9223372036854775809}}', "metadata.n"),
    (b'{"metadata": {"n": 1' + b"0" * 5000 + b"}}", "metadata.n"),
    (b'{"metadata": {"n": 1e400}}', "metadata.n"),
    (b'{"metadata": {"n": NaN}}', "metadata.n"),
    (b'{"metadata": {"n": [Infinity]}}', "metadata.n.0"),
    (b'{"metadata": {"n": -Infinity}}', "metadata.n"),
    (b'{"metadata": ' + b"[" * 5000 + b"]" * 5000 + b"}", "body"),
    (b'{"metadata": {"d": ' + b"[" * 70 + b"]" * 70 + b"}}", "metadata.d.0.0"),
]


@pytest.mark.parametrize("raw,field", BAD_TASK_BODIES)
def test_unstorable_json_is_a_400_naming_the_field_and_writes_nothing(
    inproc_api, backend, project, raw, field
) -> None:
    # Splice project and attachment into the raw bytes (json.dumps would fix or refuse the value).
    spliced = b'{"project": "p", "attachment": "' + IMG.encode() + b'", ' + raw[1:]
    before = counts(backend)
    r = raw_post(inproc_api, "/task/categorization", spliced)
    assert r.status_code == 400, r.text
    assert r.json()["error"].startswith(field), r.text
    assert counts(backend) == before
    # The listing still serves (nothing unservable was stored).
    assert inproc_api.get("/tasks", params={"project": "p"}).status_code == 200


def test_the_limits_themselves_are_accepted(inproc_api, project) -> None:
    deep = {"d": json.loads("[" * 60 + "]" * 60)}
    metadata = {
        "big": 2**63 - 1,
        "small": -(2**63),
        "float": 1.5e300,
        "emoji": "😀",
        "escaped": "\\u0000 is text here",
        **deep,
    }
    r = inproc_api.post(
        "/task/categorization", json={"project": "p", "attachment": IMG, "metadata": metadata}
    )
    assert r.status_code == 200, r.text
    got = inproc_api.get(f"/task/{r.json()['task_id']}").json()["metadata"]
    assert got == metadata


@pytest.mark.parametrize(
    "raw",
    [
        b'{"email": "' + b"[" * 10 + b'", "password": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"email": "a@b.c", "password": 1' + b"0" * 5000 + b"}",
        b'{"email": "\\ud800@x.y", "password": "x"}',
        b'{"email": "a\\u0000@x.y", "password": "x"}',
    ],
)
def test_login_refuses_unparseable_json_unauthenticated(app_client, backend, raw) -> None:
    before = counts(backend)
    r = raw_post(app_client, "/auth/login", raw)
    assert r.status_code == 400, r.text
    assert counts(backend) == before


def test_a_100k_character_email_is_a_400_not_a_500(app_client, backend) -> None:
    before = counts(backend)
    r = app_client.post("/auth/login", json={"email": "a" * 100_000 + "@x.y", "password": "pw"})
    assert r.status_code == 400 and "email" in r.json()["error"], r.text
    assert counts(backend) == before


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2024-13-01"]
)
@pytest.mark.parametrize(
    "path,field", [("/tasks", "start_time"), ("/tasks", "updated_after"), ("/batches", "end_time")]
)
def test_timestamps_out_of_range_are_a_400(inproc_api, path, field, value) -> None:
    r = inproc_api.get(path, params={field: value})
    assert r.status_code == 400, r.text
    assert r.json()["error"].startswith(field)


BAD_URLS = ["http://[::1", "http://[::1/x", "http://e.com:99999/a", "http://e.com:x/a", "http:// e"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_malformed_urls_are_a_400_everywhere(inproc_api, backend, project, url) -> None:
    before = counts(backend)
    cases = [
        ("/files/import", {"file_url": url}, "file_url"),
        (
            "/task/categorization",
            {"project": "p", "attachment": IMG, "callback_url": url},
            "callback_url",
        ),
        ("/batches", {"name": "b", "project": "p", "callback": url}, "callback"),
    ]
    for path, body, field in cases:
        r = inproc_api.post(path, json=body)
        assert r.status_code == 400, (path, r.text)
        assert r.json()["error"].startswith(field), r.text
    assert counts(backend) == before


def test_column_lengths_are_checked_before_writing(inproc_api, backend, project) -> None:
    before = counts(backend)
    cases = [
        ("/projects", {"name": "n" * 201, "type": "categorization"}, "name"),
        ("/batches", {"name": "b" * 201, "project": "p"}, "name"),
        (
            "/task/categorization",
            {"project": "p", "attachment": IMG, "unique_id": "u" * 401},
            "unique_id",
        ),
        (
            "/task/categorization",
            {"project": "p", "attachment": IMG, "tags": ["t" * 201]},
            "tags.0",
        ),
        ("/teams/invite", {"emails": ["a" * 400 + "@x.y"], "team_role": "labeler"}, "emails.0"),
    ]
    for path, body, field in cases:
        r = inproc_api.post(path, json=body)
        assert r.status_code == 400, (path, r.text)
        assert r.json()["error"].startswith(field), r.text
    assert counts(backend) == before


def test_safe_json_names_bad_keys_without_echoing_them() -> None:
    with pytest.raises(InvalidRequest) as err:
        safe_json.loads('{"a": {"\ud800": 1}}'.encode("utf-8", "surrogatepass"))
    assert err.value.field == "a.<invalid key>"
    with pytest.raises(InvalidRequest) as err:
        safe_json.loads(b'"[[[[\\ud800"')
    assert err.value.field == "body"
    assert safe_json.loads(b'{"s": "[[[[{{{{"}') == {"s": "[[[[{{{{"}


@pytest.mark.parametrize(
    "method,path,field",
    [
        ("GET", "/projects/%00", "path"),
        ("GET", "/task/%00", "path"),
        ("GET", "/batches/a%00", "path"),
        ("GET", "/files/%00", "path"),
        ("POST", "/projects/%00/setParams", "path"),
        ("GET", "/tasks?project=%00", "project"),
        ("GET", "/tasks?tags=a%00", "tags"),
        ("GET", "/tasks?unique_id=%00", "unique_id"),
    ],
)
def test_nul_in_the_path_or_query_is_a_400(inproc_api, method, path, field) -> None:
    """PostgreSQL refuses NUL in text parameters: these were 500s there."""
    r = inproc_api.request(method, path)
    assert r.status_code == 400, r.text
    assert r.json()["error"].startswith(f"{field}:")


@pytest.mark.parametrize(
    "metadata,field",
    [
        ('{"a": "\\u0000"}', "metadata.a"),
        ('{"\\ud800": 1}', "metadata.<invalid key>"),
        ("[", "metadata"),
    ],
)
def test_upload_metadata_follows_the_json_rules(inproc_api, backend, metadata, field) -> None:
    before = counts(backend)
    r = inproc_api.post(
        "/files/upload", files={"file": ("a.txt", b"hi", "text/plain")}, data={"metadata": metadata}
    )
    assert r.status_code == 400, r.text
    assert r.json()["error"].startswith(field)
    assert counts(backend) == before
