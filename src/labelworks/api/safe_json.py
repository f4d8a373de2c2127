"""The one JSON parser for request bodies.

Every JSON body the API reads goes through `loads()`: route handlers that take a raw body (the
`JsonBody` dependency) and typed Pydantic bodies alike. It refuses, with a 400 naming the field,
what the databases cannot store or serve back.
"""

from __future__ import annotations

import json
from typing import Any

from labelworks.errors import InvalidRequest


def loads(raw: bytes | str) -> Any:
    """Parse a request body; malformed JSON is a 400 on `body`."""
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidRequest(f"malformed JSON ({exc})", "body") from None
