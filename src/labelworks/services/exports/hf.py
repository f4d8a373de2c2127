"""`hf`: Parquet with a typed schema, loadable by `datasets.load_dataset("parquet", ...)`.

Columns: `task_id`, `unique_id`, `metadata` (JSON text), then the type's own typed columns
(`TaskType.hf_fields`: e.g. imageannotation `image, width, height, objects[...]`, NER `text,
entities[...]`). Rows are written in row groups of `ROW_GROUP` tasks as they stream.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from labelworks.services.exports.sink import Sink
from labelworks.services.exports.stream import Export

ROW_GROUP = 10_000


def write(export: Export) -> Iterator[bytes]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    kind = export.kind
    schema = pa.schema(
        [
            ("task_id", pa.string()),
            ("unique_id", pa.string()),
            ("metadata", pa.string()),
            *kind.hf_fields(),
        ]
    )
    sink = Sink()
    rows: list[dict[str, Any]] = []
    with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
        for chunk in export.records():
            rows.extend(
                {
                    "task_id": r.task_id,
                    "unique_id": r.unique_id,
                    "metadata": json.dumps(r.metadata),
                    **kind.hf_row(r),
                }
                for r in chunk
            )
            if len(rows) >= ROW_GROUP:
                writer.write_table(pa.Table.from_pylist(rows, schema))
                rows.clear()
                yield sink.drain()
        if rows:
            writer.write_table(pa.Table.from_pylist(rows, schema))
    yield sink.drain()
