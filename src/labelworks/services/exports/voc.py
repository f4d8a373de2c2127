"""`voc`: a zip of Pascal VOC XML files, `Annotations/<image>.xml`, one per image.

Only boxes are written (`bndbox` in pixels: xmin = left, xmax = left + width; coordinates are
the stored pixel values, not shifted to VOC's historical 1-based convention). `size` is the
image size from images.py (0 when unknown); `path` is the attachment URL; `ImageSets/Main/
default.txt` lists the image stems.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from xml.etree import ElementTree as ET

from labelworks.services.exports.files import Spool, image_name, stem
from labelworks.services.exports.sink import Sink
from labelworks.services.exports.stream import Export


def write(export: Export) -> Iterator[bytes]:
    kind = export.kind
    sink = Sink()
    with Spool([]) as stems, zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        for chunk in export.records():
            for record in chunk:
                name = image_name(record.task_id, record.params["attachment"])
                stems.add([stem(name)])
                root = _annotation(name, record.params["attachment"], record.width, record.height)
                for label, left, top, width, height in kind.boxes(record.response):  # type: ignore
                    _object(root, label, left, top, left + width, top + height)
                archive.writestr(
                    f"Annotations/{stem(name)}.xml", ET.tostring(root, encoding="unicode")
                )
            yield sink.drain()
        stems.copy_into(archive, "ImageSets/Main/default.txt")
    yield sink.drain()


def _annotation(name: str, path: str, width: int, height: int) -> ET.Element:
    root = ET.Element("annotation")
    _text(root, "folder", "JPEGImages")
    _text(root, "filename", name)
    _text(root, "path", path)
    ET.SubElement(ET.SubElement(root, "source"), "database").text = "Labelworks"
    size = ET.SubElement(root, "size")
    for key, value in (("width", width), ("height", height), ("depth", 3)):
        _text(size, key, str(value))
    _text(root, "segmented", "0")
    return root


def _object(
    root: ET.Element, label: str, xmin: float, ymin: float, xmax: float, ymax: float
) -> None:
    obj = ET.SubElement(root, "object")
    for key, text in (
        ("name", label),
        ("pose", "Unspecified"),
        ("truncated", "0"),
        ("difficult", "0"),
    ):
        _text(obj, key, text)
    box = ET.SubElement(obj, "bndbox")
    for key, value in (("xmin", xmin), ("ymin", ymin), ("xmax", xmax), ("ymax", ymax)):
        _text(box, key, _number(value))


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = text


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.3f}".rstrip("0")
