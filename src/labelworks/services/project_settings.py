"""Labelworks settings that ride in a project's params, and the split between settings and the
task defaults that are merged under each task's own params."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError

from labelworks.errors import InvalidRequest, from_validation_error
from labelworks.tasktypes import get_task_type
from labelworks.tasktypes.base import StrictModel, request_error

# Task-level keys a project may default besides the type's own params.
COMMON_DEFAULTS = ("instruction", "callback_url", "priority", "tags")


class ProjectSettings(StrictModel):
    overlap: Annotated[int, Field(ge=1, le=100)] = 1
    review: bool = False
    gold_rate: Annotated[float, Field(ge=0, le=1)] = 0.0
    min_gold_accuracy: Annotated[float, Field(ge=0, le=1)] = 0.0
    adaptive_overlap: bool = False
    pools: Annotated[list[Literal["platform", "team"]], Field(min_length=1)] = Field(
        default_factory=lambda: ["platform"]  # type: ignore[arg-type]
    )
    discard_labels_on_pause: bool = False
    require_training: bool = False
    training_pass_rate: Annotated[float, Field(ge=0, le=1)] = 0.8
    # New batches start `staging` and open on finalize (Studio projects always do).
    staging: bool = False
    # After a reject, may the task's earlier labellers label it again in the new round?
    allow_relabel_by_same_worker: bool = False


SETTING_KEYS = frozenset(ProjectSettings.model_fields)


def split_params(params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """-> (settings, task defaults)."""
    settings = {k: v for k, v in params.items() if k in SETTING_KEYS}
    defaults = {k: v for k, v in params.items() if k not in SETTING_KEYS}
    return settings, defaults


def project_settings(params: dict[str, Any]) -> ProjectSettings:
    return ProjectSettings.model_validate(split_params(params)[0])


def validate_project_params(task_type: str, params: Any) -> dict[str, Any]:
    """Check each key a project sets: settings fully, task defaults field by field (the rest of
    a task's params, such as its attachment, only arrive with the task)."""
    if params is None:
        return {}
    if not isinstance(params, dict):
        raise InvalidRequest("must be an object", "params")
    settings, defaults = split_params(params)
    try:
        ProjectSettings.model_validate(settings)
    except ValidationError as exc:
        raise from_validation_error(exc, ("params",)) from None
    fields = get_task_type(task_type).params_model.model_fields
    for key, value in defaults.items():
        if key in COMMON_DEFAULTS:
            continue
        info = fields.get(key)
        if info is None:
            raise InvalidRequest(f"unknown parameter for type {task_type!r}", f"params.{key}")
        annotation = (
            Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        )
        adapter: TypeAdapter[Any] = TypeAdapter(annotation)  # type: ignore[arg-type]
        try:
            adapter.validate_python(value)
        except ValidationError as exc:
            raise request_error(exc, value, ("params", key)) from None
    return params
