"""Bulk-seed tasks directly into the database (benchmarks only)."""

from __future__ import annotations

import datetime as dt
import os
import time

from sqlalchemy import insert

from labelworks.db.tables import Task, TaskTag


def bulk_insert_tasks(
    db,
    principal,
    project_ids: list[int],
    total: int,
    chunk: int = 20000,
    status_every: int = 3,
    open_slots: int = 0,
    first_seq: int = 0,
) -> None:
    """`status_every=0` makes every task pending; `open_slots` > 0 puts them in the work queue."""
    base = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    done = 0
    from labelworks.db.sealing import lookup_hash
    from labelworks.services.imports.bulk import seal_rows

    with db.write() as session:
        conn = session.connection()
        seq = first_seq
        while done < total:
            n = min(chunk, total - done)
            rows, tags = [], []
            for i in range(done, done + n):
                seq += 1
                when = base + dt.timedelta(seconds=i)
                rows.append(
                    {
                        "seq": seq,
                        "task_id": f"{int(time.time()):08x}{os.urandom(8).hex()}",
                        "unique_id": f"u{principal.org_id}-{i}",
                        "org_id": principal.org_id,
                        "project_id": project_ids[i % len(project_ids)],
                        "batch_id": None,
                        "type": "categorization",
                        "status": "completed"
                        if status_every and i % status_every == 0
                        else "pending",
                        "instruction": None,
                        "params": {
                            "attachment": f"https://e.com/{i}.png",
                            "attachment_type": "image",
                            "categories": ["a", "b"],
                            "allow_multiple": False,
                        },
                        "callback_url": None,
                        "metadata": {"i": i},
                        "tags": [f"t{i % 10}"],
                        "response": None,
                        "audits": [],
                        "customer_review_status": None,
                        "callback_succeeded": None,
                        "is_test": False,
                        "priority": 0,
                        "work_started": False,
                        "created_at": when,
                        "updated_at": when,
                        "completed_at": when if status_every and i % status_every == 0 else None,
                        "kind": "task",
                        "stage": "label",
                        "labels_submitted": 0,
                        "batch_rank": 1_000_000,
                        "open_slots": open_slots
                        if not (status_every and i % status_every == 0)
                        else 0,
                    }
                )
                tags.append({"task_seq": seq, "tag": f"t{i % 10}", "org_id": principal.org_id})
            # Sealed and hashed like every write (db/sealing.py).
            for row in rows:
                row["unique_key"] = lookup_hash(session, principal.org_id, row["unique_id"])
            for tag in tags:
                tag["tag"] = lookup_hash(session, principal.org_id, tag["tag"])
            seal_rows(session, principal.org_id, rows)
            conn.execute(insert(Task.__table__), rows)
            conn.execute(insert(TaskTag.__table__), tags)
            done += n
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('tasks', 'seq'), "
                "(SELECT max(seq) FROM tasks))"
            )
            conn.exec_driver_sql("ANALYZE")
    else:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
