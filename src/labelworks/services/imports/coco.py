"""COCO instances JSON into an imageannotation project: one task per image (attachment =
`coco_url`, else `flickr_url`, else `file_name`), its annotations as `hypothesis` pre-labels
(`ImageAnnotation.annotation_from_coco`: bbox -> box, polygon segmentation -> polygon,
keypoints -> point); a known image size goes into the task's metadata (`width`, `height`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from labelworks.services.imports.rows import Row
from labelworks.services.imports.whole import load_json
from labelworks.tasktypes import TaskType


def rows(path: Path, kind: TaskType) -> Iterator[Row]:
    if not hasattr(kind, "annotation_from_coco"):
        yield Row("file", error=f"COCO files import into imageannotation projects, not {kind.name}")
        return
    doc, error = load_json(path)
    if error is not None:
        yield error
        return
    if not isinstance(doc, dict) or not isinstance(doc.get("images"), list):
        yield Row("file", error="images: a COCO file needs an images list")
        return
    categories = {
        c.get("id"): c.get("name") for c in doc.get("categories") or [] if isinstance(c, dict)
    }
    by_image: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for ann in doc.get("annotations") or []:
        if isinstance(ann, dict):
            by_image[ann.get("image_id")].append(ann)
    for number, image in enumerate(doc["images"], start=1):
        where = f"image {image.get('id', number) if isinstance(image, dict) else number}"
        try:
            yield Row(where, body=_body(kind, image, by_image.pop(image.get("id"), []), categories))
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            yield Row(where, error=f"malformed image or annotation ({type(exc).__name__}: {exc})")


def _body(
    kind: Any, image: dict[str, Any], anns: list[dict[str, Any]], categories: dict[Any, Any]
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "attachment": image.get("coco_url") or image.get("flickr_url") or image["file_name"]
    }
    annotations = []
    for ann in anns:
        if ann.get("category_id") not in categories:
            raise ValueError(
                f"annotation {ann.get('id')}: unknown category_id {ann.get('category_id')!r}"
            )
        annotations.append(kind.annotation_from_coco(categories[ann["category_id"]], ann))
    if annotations:
        body["hypothesis"] = {"annotations": annotations}
    width, height = image.get("width"), image.get("height")
    if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
        body["metadata"] = {"width": width, "height": height}
    return body


def count(path: Path) -> int | None:
    return None
