"""The CLI contract: health, org creation output, users, fresh data dirs."""

from __future__ import annotations

import subprocess
import sys

import httpx

from tests.conftest import cli, make_backend


def test_healthz_needs_no_auth(server):
    r = httpx.get(f"{server.url}/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_org_create_prints_key_alone_on_last_line_and_it_works(server):
    out = cli(server.backend.env, "org", "create", "acme-cli").stdout
    key = out.rstrip("\n").splitlines()[-1]
    assert key.startswith("live_") and " " not in key
    assert httpx.get(f"{server.v1}/projects", auth=(key, "")).status_code == 200
    dup = cli(server.backend.env, "org", "create", "acme-cli", check=False)
    assert dup.returncode == 2 and "already exists" in dup.stderr


def test_user_create_roles_and_errors(tmp_path):
    backend = make_backend("sqlite", tmp_path)  # a fresh data dir: migrated on first use
    ok = cli(
        backend.env,
        "user",
        "create",
        "Ann@Example.com",
        "--role",
        "annotator",
        "--password",
        "correct horse",
    )
    assert "annotator ann@example.com" in ok.stdout
    bad = cli(
        backend.env,
        "user",
        "create",
        "x@example.com",
        "--role",
        "boss",
        "--password",
        "12345678",
        check=False,
    )
    assert bad.returncode == 2 and "role" in bad.stderr
    no_org = cli(
        backend.env,
        "user",
        "create",
        "c@example.com",
        "--role",
        "customer",
        "--password",
        "12345678",
        check=False,
    )
    assert no_org.returncode == 2 and "org" in no_org.stderr
    prompted = cli(
        backend.env,
        "user",
        "create",
        "p@example.com",
        "--role",
        "reviewer",
        input="longpassword\nlongpassword\n",
    )
    assert "reviewer p@example.com" in prompted.stdout


def test_help_lists_the_commands():
    out = subprocess.run(
        [sys.executable, "-m", "labelworks", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("serve", "org", "key", "user", "aggregate"):
        assert command in out
