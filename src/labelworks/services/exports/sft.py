"""`sft`: chat JSONL for supervised fine-tuning, `{"messages": [user, assistant], "task_id"}`
per line (TRL / OpenAI chat format). The mapping is `FieldCollection.sft_messages`: user = the
text attachments (or the instruction), assistant = the first text field's answer; tasks without
either are left out."""

from __future__ import annotations

import json
from collections.abc import Iterator

from labelworks.services.exports.stream import Export


def write(export: Export) -> Iterator[bytes]:
    kind = export.kind
    for chunk in export.records():
        lines = []
        for record in chunk:
            messages = kind.sft_messages(record)  # type: ignore[attr-defined]
            if messages:
                lines.append(json.dumps({"messages": messages, "task_id": record.task_id}) + "\n")
        yield "".join(lines).encode()
