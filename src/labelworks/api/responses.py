"""A JSON response for hot routes: the services already return plain JSON-ready dicts, so
FastAPI's response validation and `jsonable_encoder` walk would be pure overhead there."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Response


def fast_json(data: Any, status_code: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status_code=status_code, media_type="application/json")
