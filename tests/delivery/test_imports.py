"""Imports: round trips through the exports, bad files reported row by row with nothing written,
and the CLI's exit codes, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labelworks.services import imports
from labelworks.services.scope import Principal
from tests.conftest import cli
from tests.delivery.test_exports import (
    BOX_CAR,
    BOX_PERSON,
    GEOMETRIES,
    POINT,
    POLYGON,
    add_tasks,
    count_tasks,
    export_file,
    new_project,
    new_tenant,
    tasks_of,
)


def run_import(
    db,
    principal: Principal,
    project: str,
    path: Path,
    partial: bool = False,
    batch: str | None = None,
) -> imports.ImportReport:
    return imports.import_tasks(
        db, principal, project, batch, imports.open_source(path), partial=partial
    )


def image_tasks(db, principal: Principal) -> tuple[str, list[dict]]:
    """A project of completed images; returns it and the stored responses in task order."""
    project = new_project(db, principal, "imageannotation", {"geometries": GEOMETRIES})
    add_tasks(
        db,
        principal,
        project,
        "imageannotation",
        [
            (
                {"attachment": "https://e.com/a.jpg", "metadata": {"width": 640, "height": 480}},
                {"annotations": [BOX_CAR, BOX_PERSON, POLYGON, POINT]},
            ),
            (
                {"attachment": "https://e.com/b.jpg", "metadata": {"width": 100, "height": 100}},
                {"annotations": [BOX_CAR]},
            ),
            (
                {"attachment": "https://e.com/c.jpg", "metadata": {"width": 100, "height": 100}},
                {"annotations": []},
            ),
        ],
    )
    return project, [t.response for t in tasks_of(db, principal, project)]


def test_coco_round_trip_gives_hypotheses_equal_to_the_boxes(backend, tmp_path):
    db, principal = backend.db, new_tenant(backend.db)
    project, responses = image_tasks(db, principal)
    path = export_file(db, principal, project, "coco", tmp_path / "coco.json")
    target = new_project(db, principal, "imageannotation", {"geometries": GEOMETRIES})
    report = run_import(db, principal, target, path)
    assert (report.imported, report.rejected) == (3, 0)
    imported = tasks_of(db, principal, target)
    assert [t.params["attachment"] for t in imported] == [f"https://e.com/{c}.jpg" for c in "abc"]
    assert [
        t.params.get("hypothesis", {"annotations": [], "global_attributes": {}}) for t in imported
    ] == responses
    assert imported[0].metadata_ == {"width": 640, "height": 480}
    assert imported[0].instruction is None and imported[0].response is None
    assert imported[0].created_at.tzinfo is not None and imported[0].tags == []
    assert all(t.status == "pending" and t.open_slots == 1 for t in imported)


def test_label_studio_round_trip_keeps_the_geometry(backend, tmp_path):
    db, principal = backend.db, new_tenant(backend.db)
    project, responses = image_tasks(db, principal)
    path = export_file(db, principal, project, "label-studio", tmp_path / "ls.json")
    target = new_project(db, principal, "imageannotation", {"geometries": GEOMETRIES})
    assert run_import(db, principal, target, path).imported == 3
    imported = tasks_of(db, principal, target)
    for task, response in zip(imported, responses, strict=True):
        got = task.params.get("hypothesis", {"annotations": []})["annotations"]
        assert len(got) == len(response["annotations"])
        for a, b in zip(got, response["annotations"], strict=True):
            assert (a["type"], a["label"], a["uuid"]) == (b["type"], b["label"], b["uuid"])
            for key in ("left", "top", "width", "height", "x", "y"):
                if key in b:
                    assert a[key] == pytest.approx(b[key])


def test_jsonl_round_trip_gives_the_same_params(backend, tmp_path):
    db, principal = backend.db, new_tenant(backend.db)
    project = new_project(db, principal, "categorization", {"categories": ["a", "b"]})
    add_tasks(
        db,
        principal,
        project,
        "categorization",
        [
            (
                {
                    "attachment": "https://e.com/1.png",
                    "metadata": {"k": 1},
                    "tags": ["x", "y"],
                    "priority": 3,
                },
                {"category": "a"},
            ),
            ({"attachment": "hello", "attachment_type": "text", "allow_multiple": True}, None),
        ],
    )
    path = export_file(db, principal, project, "jsonl", tmp_path / "t.jsonl", include_pending=True)
    target = new_project(db, principal, "categorization", {"categories": ["c"]})
    assert run_import(db, principal, target, path).imported == 2
    before, after = tasks_of(db, principal, project), tasks_of(db, principal, target)
    assert [t.params for t in after] == [t.params for t in before]
    assert [(t.metadata_, t.tags, t.priority) for t in after] == [
        (t.metadata_, t.tags, t.priority) for t in before
    ]
    with backend.db.read() as session:
        from sqlalchemy import select

        from labelworks.db.sealing import lookup_hash
        from labelworks.db.tables import TaskTag

        tags = session.scalars(select(TaskTag.tag).where(TaskTag.task_seq == after[0].seq))
        # Tag rows hold the tags' keyed hashes (encryption at rest), not the tags.
        org = after[0].org_id
        assert sorted(tags) == sorted(lookup_hash(session, org, t) for t in ("x", "y"))


def test_csv_import_parses_json_cells_into_a_staging_batch(backend, tmp_path):
    from labelworks.services.batches import create_batch

    db, principal = backend.db, new_tenant(backend.db)
    project = new_project(
        db, principal, "categorization", {"categories": ["a", "b"], "staging": True}
    )
    with db.write() as session:
        create_batch(session, principal, {"name": f"b-{project}", "project": project})
    path = tmp_path / "tasks.csv"
    path.write_text(
        "attachment,unique_id,metadata,allow_multiple,categories,priority\n"
        "https://e.com/1.png,u1-" + project + ',"{""source"": ""cam""}",true,,2\n'
        'https://e.com/2.png,,,,"[""x"", ""y""]",\n'
    )
    report = run_import(db, principal, project, path, batch=f"b-{project}")
    assert (report.imported, report.errors) == (2, [])
    first, second = tasks_of(db, principal, project)
    assert first.metadata_ == {"source": "cam"} and first.params["allow_multiple"] is True
    assert first.priority == 2 and first.unique_id == f"u1-{project}"
    assert second.params["categories"] == ["x", "y"]
    assert first.open_slots == 0 and first.batch_id is not None  # opened by finalize


def test_bad_files_are_reported_by_line_and_nothing_is_imported(backend, tmp_path):
    db, principal = backend.db, new_tenant(backend.db)
    project = new_project(db, principal, "imageannotation")  # no default geometries
    good = {
        "attachment": "https://e.com/a.png",
        "geometries": {"box": {"objects_to_annotate": ["car"]}},
    }
    lines = [json.dumps(good)] * 6 + ["{not json"] + [json.dumps(good)]
    jsonl = tmp_path / "bad.jsonl"
    jsonl.write_text("\n".join(lines) + "\n")
    before = count_tasks(db, principal)
    report = run_import(db, principal, project, jsonl)
    assert report.errors == [("line 7", "malformed JSON")] and report.imported == 0
    assert count_tasks(db, principal) == before

    bad_geometry = tmp_path / "geometry.csv"
    bad_geometry.write_text(
        "attachment,geometries\n"
        'a.png,"{""box"": {""objects_to_annotate"": [""car""]}}"\n'
        'b.png,"{""box"": {""objects_to_annotate"": []}}"\n'
        'c.png,"{""box"": {""objects_to_annotate"": [""car""]}, }"\n'
    )
    report = run_import(db, principal, project, bad_geometry)
    assert report.errors == [
        ("line 3", "geometries.box.objects_to_annotate: must not be empty"),
        ("line 4", "geometries: malformed JSON"),
    ]
    assert count_tasks(db, principal) == before

    wrong_columns = tmp_path / "columns.csv"
    wrong_columns.write_text("image_url,label\nhttps://e.com/a.png,car\n")
    [(where, message)] = run_import(db, principal, project, wrong_columns).errors
    assert where == "line 1" and "unknown column(s) ['image_url', 'label']" in message
    assert "attachment" in message and count_tasks(db, principal) == before

    partial = run_import(db, principal, project, bad_geometry, partial=True)
    assert (partial.imported, partial.rejected) == (1, 2)
    assert count_tasks(db, principal) == before + 1


def test_duplicate_unique_ids_are_rejected_rows(backend, tmp_path):
    db, principal = backend.db, new_tenant(backend.db)
    project = new_project(db, principal, "categorization", {"categories": ["a"]})
    add_tasks(
        db, principal, project, "categorization", [({"attachment": "x", "unique_id": "one"}, None)]
    )
    path = tmp_path / "dupes.jsonl"
    path.write_text(
        "\n".join(json.dumps({"attachment": "y", "unique_id": u}) for u in ("one", "two", "two"))
        + "\n"
    )
    report = run_import(db, principal, project, path)
    assert report.errors == [
        ("line 1", "unique_id: a task with unique_id 'one' already exists"),
        ("line 3", "unique_id: a task with unique_id 'two' already exists"),
    ]
    assert count_tasks(db, principal) == 1


def test_cli_import_exit_codes_and_report(backend, tmp_path):
    db, principal = backend.db, new_tenant(backend.db)
    project = new_project(db, principal, "categorization", {"categories": ["a", "b"]})
    path = tmp_path / "tasks.csv"
    path.write_text(
        "attachment,allow_multiple\nhttps://e.com/1.png,false\n"
        "https://e.com/2.png,maybe\nhttps://e.com/3.png,\n"
    )
    args = ("import", "--org", principal.org_name, "--project", project, str(path))
    bad = cli(backend.env, *args, check=False)
    assert bad.returncode == 2, bad.stderr
    assert "line 3: allow_multiple: Input should be a valid boolean" in bad.stderr
    assert "nothing imported" in bad.stderr and count_tasks(db, principal) == 0
    kept = cli(backend.env, *args, "--partial")
    assert "imported 2 task(s)" in kept.stdout and count_tasks(db, principal) == 2
    missing = cli(
        backend.env,
        "import",
        "--org",
        principal.org_name,
        "--project",
        "nope",
        str(path),
        check=False,
    )
    assert missing.returncode == 2 and "no project named 'nope'" in missing.stderr
