"""Names for image files inside exports (COCO `file_name`, YOLO labels, VOC annotations).

An attachment URL's last segment is not unique (every upload ends in `/content`), so an image is
named after its task: `<task_id><extension of the URL path, if it is an image's>`. The URL itself
is kept alongside (COCO `coco_url`, VOC `path`, YOLO `images.csv`).
"""

from __future__ import annotations

import csv
import tempfile
import zipfile
from pathlib import PurePosixPath
from typing import Self

IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"}


def image_name(task_id: str, attachment: str) -> str:
    last = attachment.split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[-1]
    dot = last.rfind(".")
    suffix = last[dot:].lower() if dot > 0 else ""
    return task_id + (suffix if suffix in IMAGE_EXTENSIONS else "")


def stem(name: str) -> str:
    return PurePosixPath(name).stem


class Spool:
    """A CSV side file (an index of images, the skipped ones) built on disk during an export and
    copied into the archive at the end, so it does not grow in memory with the project."""

    def __init__(self, header: list[str]) -> None:
        self.rows = 0
        self._file = tempfile.TemporaryFile("w+", newline="", encoding="utf-8")
        self._csv = csv.writer(self._file, lineterminator="\n")
        self._csv.writerow(header)

    def add(self, row: list[str]) -> None:
        self.rows += 1
        self._csv.writerow(row)

    def copy_into(self, archive: zipfile.ZipFile, name: str) -> None:
        self._file.seek(0)
        with archive.open(name, "w") as out:
            while block := self._file.read(1 << 20):
                out.write(block.encode())

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self._file.close()
