"""`csv`: one row per task, `task_id,unique_id` then the type's `csv_columns` (categorization:
`attachment,attachment_type,category`; a multi-label answer is a JSON list in its cell)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from labelworks.services.exports.stream import Export


def write(export: Export) -> Iterator[bytes]:
    kind = export.kind
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(["task_id", "unique_id", *kind.csv_columns])  # type: ignore[attr-defined]
    for chunk in export.records():
        for record in chunk:
            out.writerow([record.task_id, record.unique_id or "", *kind.csv_row(record)])  # type: ignore[attr-defined]
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue().encode()
