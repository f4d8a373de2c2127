"""`label-studio`: a JSON list of Label Studio tasks, `{"data", "annotations": [{"result"}],
"meta"}`, as Label Studio's import reads them.

Result items (`TaskType.label_studio_task`) name these controls: images `box`
(RectangleLabels), `polygon` (PolygonLabels), `point` (KeyPointLabels) on `image`; categorization
`choice` (Choices) on the attachment type (`image`, `text`...); NER `label` (Labels) on `text`.
Image results use percent coordinates, so they need the image size (images.py); when it is
unknown the task is exported without results and `meta.warning` says why.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from labelworks.services.exports.stream import Export

CONFIG_HINT = "labels need the image size for percent coordinates; it is unknown"


def write(export: Export) -> Iterator[bytes]:
    kind = export.kind
    first = True
    yield b"["
    for chunk in export.records():
        items = []
        for record in chunk:
            data, result = kind.label_studio_task(record)  # type: ignore[attr-defined]
            meta = {"labelworks_task_id": record.task_id, "unique_id": record.unique_id}
            if (
                kind.has_images
                and not result
                and (record.response or {}).get("annotations")
                and not (record.width and record.height)
            ):
                meta["warning"] = CONFIG_HINT
            items.append(
                json.dumps(
                    {
                        "data": data,
                        "annotations": [{"result": result, "ground_truth": False}],
                        "meta": meta,
                    }
                )
            )
        yield (b"" if first else b",\n") + ",\n".join(items).encode()
        first = False
    yield b"]\n"
