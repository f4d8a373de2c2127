"""`labelworks serve --demo` on a fresh data dir gives a ready workspace."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx

from tests.conftest import free_port, make_backend


def test_demo_has_a_key_every_type_and_annotators_who_can_work(tmp_path):
    backend = make_backend("sqlite", tmp_path)
    backend.env.pop("LABELWORKS_ALLOW_PRIVATE_URLS")  # as a user runs it: the guard stays on
    port = free_port()
    log = tmp_path / "demo.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "labelworks", "serve", "--demo", "--port", str(port)],
            env=backend.env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        lines = log.read_text().splitlines()
        key = lines[lines.index("demo API key:") + 1].strip()
        auth = (key, "")
        types = {p["type"] for p in httpx.get(f"{url}/v1/projects", auth=auth).json()}
        assert types == {
            "categorization",
            "imageannotation",
            "namedentityrecognition",
            "textcollection",
            "transcription",
            "comparison",
        }
        assert httpx.get(f"{url}/v1/tasks", auth=auth).json()["total"] >= 10
        token = httpx.post(
            f"{url}/auth/login",
            json={"email": "annotator1@demo.local", "password": "demo-password"},
        ).json()["token"]
        worker = {"Authorization": f"Bearer {token}"}
        lease = httpx.post(
            f"{url}/work/next", json={"project": "Demo: vehicle color"}, headers=worker
        ).json()
        image = lease["task"]["params"]["attachment"]
        # Uploaded media reach the worker through the worker API, while the lease lasts.
        assert image.startswith("/work/files/")
        media = httpx.get(url + image, headers=worker)
        assert media.status_code == 200 and media.content.startswith(b"\x89PNG")
        assert httpx.get(url + image).status_code == 401
        assert media.headers["x-content-type-options"] == "nosniff"
        # The demo serves its own media without turning the SSRF guard off.
        fetch = httpx.post(f"{url}/v1/files/import", json={"file_url": url + "/healthz"}, auth=auth)
        assert fetch.status_code == 400 and "non-public" in fetch.json()["error"], fetch.text
        assert "SSRF guard is OFF" not in log.read_text()
        # The demo customer acts for the demo org on /v1 with a bearer token (team admin).
        customer = httpx.post(
            f"{url}/auth/login",
            json={"email": "customer@demo.local", "password": "demo-password"},
        ).json()["token"]
        mine = httpx.get(f"{url}/v1/projects", headers={"Authorization": f"Bearer {customer}"})
        assert mine.status_code == 200 and len(mine.json()) == len(types), mine.text
    finally:
        proc.terminate()
        proc.wait(10)
