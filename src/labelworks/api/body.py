"""Typed JSON request bodies, parsed by the one parser (`safe_json.loads`).

`body_of(Model)` is a dependency: it parses the body with `safe_json`, validates it against the model
(a failure is a 400 naming the field) and hands the parsed JSON on to the service unchanged. The
model also documents the body in `/openapi.json` (`api/openapi.py` reads it from the dependency).
Free-form bodies (task params, project params) are documented but left to the services to
validate (`validate=False`), which know each task type.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from pydantic import TypeAdapter, ValidationError

from labelworks.api import safe_json
from labelworks.errors import from_validation_error


def body_of(model: Any, *, validate: bool = True) -> Any:
    adapter: TypeAdapter[Any] = TypeAdapter(model)

    async def json_body_dependency(request: Request) -> Any:
        raw = await request.body()
        if not raw.strip():
            return None  # the services say which field is required
        data = safe_json.loads(raw)
        if validate:
            try:
                adapter.validate_python(data)
            except ValidationError as exc:
                raise from_validation_error(exc) from None
        return data

    json_body_dependency.body_model = model  # type: ignore[attr-defined]
    return Depends(json_body_dependency)
