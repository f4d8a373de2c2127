"""The fast in-process tier answers like the live server."""

from __future__ import annotations


def test_inproc_client_creates_and_reads_a_project(inproc_api) -> None:
    created = inproc_api.post("/projects", json={"name": "p", "type": "categorization"})
    assert created.status_code == 200, created.text
    got = inproc_api.get("/projects/p")
    assert got.status_code == 200 and got.json()["type"] == "categorization"
    assert inproc_api.get("/projects/nope").status_code == 404
