"""Formats that are one JSON document (Label Studio, COCO) are read whole: their items refer to
each other (COCO annotations to images), and Python's json has no incremental parser."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from labelworks.services.imports.rows import Row


def load_json(path: Path) -> tuple[Any, Row | None]:
    try:
        with path.open("rb") as f:
            return json.load(f), None
    except json.JSONDecodeError as exc:
        return None, Row(f"line {exc.lineno}", error=f"malformed JSON ({exc.msg})")
    except UnicodeDecodeError:
        return None, Row("file", error="not UTF-8 text")
