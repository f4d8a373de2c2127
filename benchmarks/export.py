"""Export a large image project to COCO and to Parquet with `labelworks export`.

    python benchmarks/export.py [--images 100000] [--boxes 10] [--formats coco,hf]
                                [--backend sqlite|postgresql]

Seeds completed imageannotation tasks directly into a fresh database (bulk inserts; sizes in
the task metadata), then runs the CLI export of each format in a child process and prints its
wall time and peak RSS (the child's `ru_maxrss`, interpreter start-up included).
Targets at 100,000 images x 10 boxes: < 30 s and < 500 MB each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import insert

sys.path.append(str(Path(__file__).parent))  # after the stdlib: benchmarks/queue.py exists
from _harness import drop_pg, fresh_env

LABELS = ["car", "person", "bike", "truck"]


def seed(env: dict[str, str], url: str, images: int, boxes: int) -> tuple[str, str]:
    from labelworks.db.database import Database
    from labelworks.db.tables import Task
    from labelworks.services.orgs import create_org
    from labelworks.services.projects import create_project
    from labelworks.services.scope import Principal
    from labelworks.settings import Settings

    db = Database.open(Settings(data_dir=Path(env["LABELWORKS_DATA_DIR"]), database_url=url))
    with db.write() as session:
        org, _ = create_org(session, "bench")
        principal = Principal(org.id, org.name)
        project = create_project(
            session,
            principal,
            {
                "name": "boxes",
                "type": "imageannotation",
                "params": {"geometries": {"box": {"objects_to_annotate": LABELS}}},
            },
        )
        project_id = project.id
    now = dt.datetime.now(dt.UTC)
    with db.engine.begin() as conn:
        for start in range(0, images, 10_000):
            rows = []
            for i in range(start, min(images, start + 10_000)):
                annotations = [
                    {
                        "type": "box",
                        "uuid": f"{i}-{j}",
                        "label": LABELS[j % 4],
                        "attributes": {},
                        "left": 10.0 * j,
                        "top": 5.0 * j,
                        "width": 20.5,
                        "height": 30.25,
                    }
                    for j in range(boxes)
                ]
                rows.append(
                    {
                        "task_id": f"{i:024x}",
                        "org_id": principal.org_id,
                        "project_id": project_id,
                        "batch_id": None,
                        "type": "imageannotation",
                        "status": "completed",
                        "instruction": None,
                        "params": {
                            "attachment": f"https://e.com/{i}.jpg",
                            "attachment_type": "image",
                            "geometries": {"box": {"objects_to_annotate": LABELS}},
                        },
                        "metadata": {"width": 1280, "height": 720},
                        "unique_id": None,
                        "tags": [],
                        "response": {"annotations": annotations, "global_attributes": {}},
                        "audits": [],
                        "is_test": False,
                        "priority": 0,
                        "work_started": True,
                        "created_at": now,
                        "updated_at": now,
                        "completed_at": now,
                        "kind": "task",
                        "stage": "done",
                        "open_slots": 0,
                        "labels_submitted": 1,
                        "batch_rank": 1_000_000,
                    }
                )
            conn.execute(insert(Task.__table__), rows)
    db.engine.dispose()
    return org.name, "boxes"


def timed_export(env: dict[str, str], org: str, fmt: str, out: Path) -> tuple[float, float]:
    began = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "labelworks",
            "export",
            "--org",
            org,
            "--project",
            "boxes",
            "--format",
            fmt,
            "-o",
            str(out),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - began
    if status != 0:
        raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "export failed")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument("--boxes", type=int, default=10)
    parser.add_argument("--formats", default="coco,hf")
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    env, url, pg = fresh_env(args.backend)
    try:
        began = time.perf_counter()
        org, _ = seed(env, url, args.images, args.boxes)
        print(
            f"seeded {args.images:,} images x {args.boxes} boxes ({args.backend}) in "
            f"{time.perf_counter() - began:.1f} s"
        )
        for fmt in args.formats.split(","):
            out = Path(env["LABELWORKS_DATA_DIR"]) / f"export-{fmt}"
            seconds, rss = timed_export(env, org, fmt, out)
            print(
                f"{fmt:6s} {seconds:7.1f} s  peak RSS {rss:6.0f} MB  "
                f"{out.stat().st_size / 1e6:8.1f} MB file  "
                f"{args.images * args.boxes / seconds:,.0f} boxes/s"
            )
    finally:
        drop_pg(pg)


if __name__ == "__main__":
    main()
