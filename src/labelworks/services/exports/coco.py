"""`coco`: a COCO instances file (`images`, `annotations`, `categories`) that
`pycocotools.coco.COCO` loads.

One pass: images are streamed as they come; annotations are spooled to a temporary file and
appended after the images; categories (a small set) close the object. Boxes have `bbox` and an
empty `segmentation`, polygons (and ellipses, as 32-gons) a polygon `segmentation`, points one
keypoint (their categories list `keypoints: ["point"]`); lines are left out; segmentation masks
one RLE `segmentation` per label (image size from the mask when not known otherwise). Each annotation
keeps its Labelworks `uuid` and `attributes`. Image `width`/`height` come from images.py (0 when
unknown); `file_name` from files.py, the attachment URL is `coco_url`.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator

from labelworks.services.exports.files import image_name
from labelworks.services.exports.stream import Export

COPY_BLOCK = 1 << 20


def write(export: Export) -> Iterator[bytes]:
    kind = export.kind
    categories = {label: i for i, label in enumerate(export.labels(), start=1)}
    point_labels: set[str] = set()
    image_id = annotation_id = 0
    yield b'{"info": {"description": "Labelworks export", "version": "1.0"}, "licenses": [], '
    yield b'"images": ['
    with tempfile.TemporaryFile() as spool:
        for chunk in export.records():
            images, annotations = [], []
            for record in chunk:
                image_id += 1
                attachment = record.params["attachment"]
                width, height = record.width, record.height
                if not width and record.response and hasattr(kind, "response_size"):
                    width, height = kind.response_size(record.response)  # a mask's own size
                images.append(
                    {
                        "id": image_id,
                        "file_name": image_name(record.task_id, attachment),
                        "width": width,
                        "height": height,
                        "coco_url": attachment,
                        "labelworks_task_id": record.task_id,
                    }
                )
                objects = (
                    kind.coco_objects_for(record.params, record.response or {})
                    if hasattr(kind, "coco_objects_for")  # types whose objects need the params
                    else kind.coco_objects(record.response or {})  # type: ignore
                )
                for label, obj in objects:
                    annotation_id += 1
                    category = categories.setdefault(label, len(categories) + 1)
                    if "keypoints" in obj:
                        point_labels.add(label)
                    obj.update(id=annotation_id, image_id=image_id, category_id=category)
                    annotations.append(obj)
            # One dumps per chunk (not per object): the C encoder does the whole list at once.
            if annotations:
                spool.write(
                    (b",\n" if spool.tell() else b"") + json.dumps(annotations)[1:-1].encode()
                )
            yield (b",\n" if image_id > len(chunk) else b"") + json.dumps(images)[1:-1].encode()
        yield b'],\n"annotations": [\n'
        spool.seek(0)
        while block := spool.read(COPY_BLOCK):
            yield block
    yield (
        b'],\n"categories": '
        + json.dumps(
            [
                {
                    "id": i,
                    "name": label,
                    "supercategory": "",
                    **({"keypoints": ["point"], "skeleton": []} if label in point_labels else {}),
                }
                for label, i in categories.items()
            ]
        ).encode()
        + b"}\n"
    )
