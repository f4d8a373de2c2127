"""Bounded fuzzing of the app's own OpenAPI document with schemathesis (both databases).

Customer routes run with an API key (HTTP Basic), worker routes with an annotator's Bearer token.
Examples are derandomized so a CI failure reproduces; the budget keeps the whole run to a few
minutes per database.
"""

from __future__ import annotations

import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 25
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def fuzz_auth(backend, app_client) -> dict[str, dict[str, str]]:
    """Headers per area: an org's API key (with a project) for /v1, an annotator for /work."""
    import base64

    from labelworks.services import users

    _, key = backend.new_org("fuzz")
    basic = {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}
    app_client.post(
        "/v1/projects",
        json={"name": "p", "type": "categorization", "params": {"categories": ["a", "b"]}},
        headers=basic,
    ).raise_for_status()
    email = f"fuzz-{uuid.uuid4().hex[:8]}@example.com"
    with backend.db.write() as session:
        users.create_user(session, email, "annotator", PASSWORD)
    token = app_client.post("/auth/login", json={"email": email, "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {token.json()['token']}"}
    return {"basic": basic, "bearer": bearer}


def _parser_refuses_nul() -> bool:
    """Whether `api/safe_json` already refuses NUL characters in bodies (the inputs hardening)."""
    from labelworks.api import safe_json
    from labelworks.errors import InvalidRequest

    try:
        safe_json.loads(b'{"a": "\\u0000"}')
    except InvalidRequest:
        return True
    return False


@pytest.fixture(scope="module")
def fuzz_schema(app, app_client):
    # The app's rate limit would turn most of the run into (documented) 429s.
    app.state.rate_limiter.per_second = 0
    # NUL in JSON strings is a 500 on PostgreSQL until the body parser refuses it; fuzz with it
    # as soon as the parser does (then a 500 is a real failure again).
    config = SchemathesisConfig.from_dict({"generation": {"allow-x00": _parser_refuses_nul()}})
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=config)


def _fuzz(operation, headers: dict[str, str]):
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: keep the run bounded
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    return run


def test_api_conforms_to_its_openapi(fuzz_schema, fuzz_auth) -> None:
    failures: list[str] = []
    for result in fuzz_schema.get_all_operations():
        operation = result.ok()
        headers = fuzz_auth["basic"] if operation.path.startswith("/v1") else fuzz_auth["bearer"]
        try:
            _fuzz(operation, headers)()
        except BaseException as exc:  # collect every operation's failure, then report them all
            if isinstance(exc, KeyboardInterrupt):
                raise
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert failures == [], "\n\n".join(failures)
