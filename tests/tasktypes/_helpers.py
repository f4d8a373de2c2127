"""Assertions shared by the task type tests."""

from __future__ import annotations

from typing import Any

import pytest

from labelworks.errors import InvalidRequest
from labelworks.tasktypes import get_task_type


def params_error(type_name: str, params: dict[str, Any]) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        get_task_type(type_name).validate_params(params)
    return caught.value


def response_error(type_name: str, params: dict[str, Any], response: Any) -> InvalidRequest:
    kind = get_task_type(type_name)
    stored = kind.validate_params(params)
    with pytest.raises(InvalidRequest) as caught:
        kind.validate_response(stored, response)
    return caught.value


def respond(type_name: str, params: dict[str, Any], response: Any) -> dict[str, Any]:
    kind = get_task_type(type_name)
    return kind.validate_response(kind.validate_params(params), response)
