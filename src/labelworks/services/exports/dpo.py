"""`dpo`: preference pairs JSONL, `{"prompt", "chosen", "rejected", "chosen_id", "rejected_id",
"task_id"}` per line (TRL's DPOTrainer columns). One line per (chosen, other response) pair of a
task (`Comparison.dpo_pairs`); ties give none."""

from __future__ import annotations

import json
from collections.abc import Iterator

from labelworks.services.exports.stream import Export


def write(export: Export) -> Iterator[bytes]:
    kind = export.kind
    for chunk in export.records():
        yield "".join(
            json.dumps({**pair, "task_id": record.task_id}) + "\n"
            for record in chunk
            for pair in kind.dpo_pairs(record)  # type: ignore[attr-defined]
        ).encode()
