"""`yolo`: a zip in the Ultralytics detection layout.

`labels/<image>.txt` holds one `class x_center y_center width height` line per box, normalised
by the image size; `data.yaml` names the classes; `images.csv` maps each image name to its
attachment URL (fetch the images into `images/` under those names). Only boxes are written;
an image of unknown size cannot be normalised, so it is listed in `skipped.csv` instead.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator

from labelworks.services.exports.files import Spool, image_name, stem
from labelworks.services.exports.sink import Sink
from labelworks.services.exports.stream import Export


def write(export: Export) -> Iterator[bytes]:
    kind = export.kind
    classes = {label: i for i, label in enumerate(export.labels())}
    sink = Sink()
    with (
        Spool(["file_name", "attachment"]) as index,
        Spool(["task_id", "reason"]) as skipped,
        zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for chunk in export.records():
            for record in chunk:
                name = image_name(record.task_id, record.params["attachment"])
                index.add([name, record.params["attachment"]])
                if not record.width or not record.height:
                    skipped.add([record.task_id, "image size unknown"])
                    continue
                lines = []
                for label, left, top, width, height in kind.boxes(record.response):  # type: ignore
                    cls = classes.setdefault(label, len(classes))
                    lines.append(
                        f"{cls} {(left + width / 2) / record.width:.6f} "
                        f"{(top + height / 2) / record.height:.6f} "
                        f"{width / record.width:.6f} {height / record.height:.6f}\n"
                    )
                archive.writestr(f"labels/{stem(name)}.txt", "".join(lines))
            yield sink.drain()
        index.copy_into(archive, "images.csv")
        if skipped.rows:
            skipped.copy_into(archive, "skipped.csv")
        names = "".join(f"  {i}: {json.dumps(label)}\n" for label, i in classes.items())
        archive.writestr(
            "data.yaml", f"path: .\ntrain: images\nval: images\nnc: {len(classes)}\nnames:\n{names}"
        )
    yield sink.drain()
