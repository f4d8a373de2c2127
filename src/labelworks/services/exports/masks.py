"""`masks`: a zip of PNG label maps, the Pascal VOC `SegmentationClass` layout.

`SegmentationClass/<task_id>.png` is a grayscale PNG per task whose pixel values are class ids
(0 = unlabeled); `labelmap.txt` lists `id:label` (ids are the same for every task of the export:
the project's labels first, then labels only tasks add); `images.csv` maps each mask to its
attachment URL.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator

from labelworks.services.exports.files import Spool
from labelworks.services.exports.sink import Sink
from labelworks.services.exports.stream import Export


def write(export: Export) -> Iterator[bytes]:
    import numpy as np  # here, not at import: the server starts without numpy

    from labelworks.tasktypes.labelmap import png_bytes

    kind = export.kind
    classes = {label: i for i, label in enumerate(export.labels(), start=1)}
    sink = Sink()
    with (
        Spool(["mask", "attachment", "task_id"]) as index,
        zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for chunk in export.records():
            for record in chunk:
                if not record.response:
                    continue
                width, height = kind.response_size(record.response)  # type: ignore
                out = np.zeros((height, width), dtype=np.uint8)
                for label, mask in kind.label_masks(record.params, record.response):  # type: ignore
                    out[mask] = classes.setdefault(label, len(classes) + 1)
                name = f"SegmentationClass/{record.task_id}.png"
                # PNG is already compressed: store it, deflating again only costs time.
                archive.writestr(name, png_bytes(out), compress_type=zipfile.ZIP_STORED)
                index.add([name, record.params["attachment"], record.task_id])
            yield sink.drain()
        index.copy_into(archive, "images.csv")
        archive.writestr(
            "labelmap.txt", "0:_unlabeled\n" + "".join(f"{i}:{c}\n" for c, i in classes.items())
        )
    yield sink.drain()
