"""The OpenAPI document describes the API as it answers; /docs and /redoc work offline."""

from __future__ import annotations

import re

import pytest

from labelworks.api.routes.docs import STATIC_DIR

INT64 = 2**63


@pytest.fixture(scope="module")
def spec(app_client) -> dict:
    r = app_client.get("/openapi.json")
    assert r.status_code == 200
    return r.json()


def _operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            yield path, method.upper(), op


def test_every_write_documents_its_body_and_no_422(spec) -> None:
    for path, method, op in _operations(spec):
        assert "422" not in op["responses"], (method, path)
        if method in ("POST", "PUT") and not path.endswith(("/finalize", "/cancel", "/skip")):
            if path.endswith(("/heartbeat", "/redeliver", "/reset_priorities")):
                continue
            assert "requestBody" in op, (method, path)
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert set(schemas["ErrorOut"]["required"]) == {"status_code", "error"}
    task_create = schemas["TaskCreate"]
    assert task_create.get("additionalProperties", True) is not False
    assert {"project", "unique_id", "metadata"} <= set(task_create["properties"])


def test_security_schemes_per_area(spec) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert schemes["basicAuth"]["scheme"] == "basic"
    assert schemes["bearerAuth"]["scheme"] == "bearer"
    for path, method, op in _operations(spec):
        names = {next(iter(s)) for s in op.get("security", []) if s}
        if path.startswith("/v1"):
            assert "basicAuth" in names, (method, path)
            assert {"401", "403", "429"} <= set(op["responses"]), (method, path)
        elif path.startswith("/work") or path == "/auth/me":
            assert names == {"bearerAuth"}, (method, path)
        else:
            assert op.get("security") == [], (method, path)
        for code, response in op["responses"].items():
            if code.startswith("4"):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOut"}


def test_parameter_bounds_and_enums(spec) -> None:
    params = {p["name"]: p["schema"] for p in spec["paths"]["/v1/batches"]["get"]["parameters"]}
    assert (params["limit"]["minimum"], params["limit"]["maximum"]) == (1, 100)
    assert (params["offset"]["minimum"], params["offset"]["maximum"]) == (0, INT64 - 1)
    task_list = {p["name"]: p["schema"] for p in spec["paths"]["/v1/tasks"]["get"]["parameters"]}
    status = task_list["status"]["anyOf"][0]
    assert set(status["enum"]) == {"pending", "completed", "canceled", "error"}
    submit = spec["paths"]["/work/assignments/{assignment_id}/submit"]["post"]["parameters"][0]
    assert submit["schema"]["maximum"] == INT64 - 1
    create = spec["paths"]["/v1/task/{task_type}"]["post"]["parameters"][0]["schema"]
    assert "categorization" in create["enum"]


@pytest.mark.parametrize(
    "method,path,needle",
    [
        ("GET", "/v1/batches?offset=9223372036854775808", "offset"),
        ("GET", "/v1/batches?offset=-1", "offset"),
        ("GET", "/v1/batches?limit=101", "limit"),
        ("GET", "/v1/batches?status=done", "status"),
        ("GET", "/v1/projects/p/export?format=nope", "format"),
    ],
)
def test_out_of_range_parameters_are_400_naming_them(inproc_api, method, path, needle) -> None:
    r = inproc_api.request(method, path.removeprefix("/v1"))
    assert r.status_code == 400, r.text
    assert r.json()["error"].startswith(needle), r.json()


def test_assignment_ids_beyond_64_bits_are_400(backend, app_client) -> None:
    from tests.api.test_policies import _person

    headers = _person(backend, app_client, "annotator", None, None)
    for bad in (INT64, 10**30, 0):
        r = app_client.post(f"/work/assignments/{bad}/heartbeat", headers=headers)
        assert r.status_code == 400 and r.json()["error"].startswith("assignment_id"), r.text


def test_405_lists_every_method_of_the_path(app_client) -> None:
    r = app_client.put("/v1/task/abc")
    assert r.status_code == 405
    assert set(r.headers["allow"].split(", ")) == {"GET", "POST"}
    assert r.json() == {"status_code": 405, "error": r.json()["error"]}
    r = app_client.get("/v1/task/abc/tags")
    assert set(r.headers["allow"].split(", ")) == {"POST", "PUT", "DELETE"}


def test_docs_and_redoc_are_served_offline_without_inline_script(app_client) -> None:
    for page in ("/docs", "/redoc"):
        r = app_client.get(page)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert "http://" not in r.text and "https://" not in r.text, "no CDN"
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", r.text, re.S)
        assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
        for asset in re.findall(r'(?:src|href)="([^"]+)"', r.text):
            got = app_client.get(asset)
            assert got.status_code == 200 and len(got.content) > 100, asset


def test_vendored_files_match_their_recorded_hashes() -> None:
    import hashlib

    vendored = (STATIC_DIR / "vendor" / "VENDORED.md").read_text()
    rows = re.findall(
        r"^\| (\S+) \| [^|]+ \| ([\d.]+) \| [^|]+ \| ([0-9a-f]{64}) \|$", vendored, re.M
    )
    assert {"swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"} <= {r[0] for r in rows}
    for name, _, digest in rows:
        assert hashlib.sha256((STATIC_DIR / "vendor" / name).read_bytes()).hexdigest() == digest
