"""What every task type module provides.

A task type is one module in this package holding one `TaskType` subclass: the Pydantic models
for its params (what the customer sends) and its response (what an annotator returns), plus the
checks that need both (a response's label must be one of the task's categories). Consensus and
export hooks live on the same class so that adding a type is one new file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, ValidationInfo

from labelworks.errors import InvalidRequest, field_path, from_validation_error

T = TypeVar("T")


class StrictModel(BaseModel):
    """Unknown fields are an error: a typo in a nested param must not be silently ignored.

    (Top-level task params are the exception: Scale ignores unknown ones, so
    `TaskType.validate_params` drops them and names them in a warning.)"""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def non_empty(items: T) -> T:
    """AfterValidator for lists and dicts: an empty one is an error, not 'nothing to do'."""
    if not items:
        raise ValueError("must not be empty")
    return items


def distinct(items: list[T]) -> list[T]:
    """AfterValidator: the list must not repeat a value."""
    first_duplicate(items)
    return items


def first_duplicate(values: Iterable[Hashable], what: str = "value") -> None:
    """Raise ValueError naming the first value that occurs twice."""
    seen: set[Hashable] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate {what} {value!r}")
        seen.add(value)


# JSON-typed scalars: strict, so "3" is not a number and "true" is not a boolean.
Name = Annotated[str, Field(strict=True), AfterValidator(_not_blank)]
Text = Annotated[str, Field(strict=True, min_length=1)]
Flag = Annotated[bool, Field(strict=True)]
Count = Annotated[int, Field(strict=True, ge=0)]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Names = Annotated[list[Name], AfterValidator(non_empty), AfterValidator(distinct)]


def at_least(low_key: str) -> Callable[[Any, ValidationInfo], Any]:
    """Field validator: this bound must not be below the bound named `low_key`."""

    def check(value: Any, info: ValidationInfo) -> Any:
        low = info.data.get(low_key)
        if value is not None and low is not None and value < low:
            raise ValueError(f"must be at least {low_key} ({low})")
        return value

    return check


def check_number(value: Any, path: str, low: float | None, high: float | None) -> float | int:
    """A finite JSON number within the optional bounds."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not math.isfinite(value))
    ):
        raise InvalidRequest("must be a finite number", path)
    if low is not None and value < low:
        raise InvalidRequest(f"must be at least {low:g}", path)
    if high is not None and value > high:
        raise InvalidRequest(f"must be at most {high:g}", path)
    return value


def request_error(exc: ValidationError, data: Any, prefix: tuple[Any, ...] = ()) -> InvalidRequest:
    """`from_validation_error`, with the field path written the way the caller wrote the input.

    Pydantic puts a discriminated union's tag into the location (`annotations.0.box.width`); the
    caller never wrote `box` there, so it is dropped. A missing or unknown tag is reported on the
    `type` key the caller has to fix.
    """
    message = from_validation_error(exc, prefix).message
    first = exc.errors()[0]
    loc: list[Any] = []
    node = data
    parts = first["loc"]
    for i, part in enumerate(parts):
        if part == "[key]":  # a bad key of a dict: report it on the dict, naming the key
            message = f"key {loc.pop()!r}: {message}"
            break
        if _is_synthetic(node, part, last=i == len(parts) - 1):
            continue
        loc.append(part)
        node = _child(node, part)
    if first["type"] in ("union_tag_invalid", "union_tag_not_found"):
        loc.append("type")
        if first["type"] == "union_tag_not_found":
            return InvalidRequest("Field required", field_path((*prefix, *loc)))
    return InvalidRequest(message, field_path((*prefix, *loc)))


def _is_synthetic(node: Any, part: Any, last: bool) -> bool:
    """A location part pydantic made up (a union tag or member name) rather than a key of the input:
    it equals the object's `type`, or is absent from the object yet something lies below it."""
    if not isinstance(node, dict) or not isinstance(part, str):
        return False
    return node.get("type") == part or (part not in node and not last)


def _child(node: Any, part: Any) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def parse(model: type[BaseModel], data: Any, prefix: tuple[Any, ...] = ()) -> BaseModel:
    """Validate `data` into `model`, raising InvalidRequest with the path under `prefix`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise request_error(exc, data, prefix) from None


@dataclass
class Record:
    """A task as exports see it: `services/exports` fills it, the type's export hooks read it.

    `width`/`height` are the image size in pixels when the format needs it (0 = unknown).
    """

    task_id: str
    params: dict[str, Any]
    response: dict[str, Any] | None
    unique_id: str | None = None
    instruction: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    width: int = 0
    height: int = 0


# Task-level parameters Scale documents (current or deprecated) for every type that Labelworks
# accepts, keeps in the task's params and does not act on.
SCALE_COMMON_PARAMS: tuple[str, ...] = (
    "force",  # deprecated
    "clear_unique_id_on_error",
    "urgency",  # deprecated: superseded by priority
)


def unknown_param_warning(key: str) -> str:
    return f"unknown parameter {key!r} ignored"


class TaskType:
    name: ClassVar[str]
    params_model: ClassVar[type[BaseModel]]
    response_model: ClassVar[type[BaseModel]]
    # Export formats (services/exports) this type's tasks can be written in.
    export_formats: ClassVar[tuple[str, ...]] = ("jsonl", "hf")
    # Whether exports resolve the image size of each task (pixels <-> normalised coordinates).
    has_images: ClassVar[bool] = False

    # Parameters Scale documents for this type (current or deprecated) that Labelworks accepts
    # and keeps in the task's params without acting on them.
    scale_params: ClassVar[tuple[str, ...]] = ()

    def validate_params(
        self, params: dict[str, Any], warnings: list[str] | None = None
    ) -> dict[str, Any]:
        """Check the type-specific params; return them normalised (JSON-ready, no None values).

        As at Scale, an unknown top-level key is ignored: it is dropped and, when `warnings` is
        given, named there so a typo stays visible. Parameters Scale documents but Labelworks
        does not act on (`scale_params`, `SCALE_COMMON_PARAMS`) are kept as given. Everything
        nested stays strict. Raises InvalidRequest naming the field (e.g.
        `geometries.box.objects_to_annotate`).
        """
        known = self.params_model.model_fields
        checked: dict[str, Any] = {}
        kept: dict[str, Any] = {}
        for key, value in params.items():
            if key in known:
                checked[key] = value
            elif key in self.scale_params or key in SCALE_COMMON_PARAMS:
                kept[key] = value
            elif warnings is not None:
                warnings.append(unknown_param_warning(key))
        normalised = parse(self.params_model, checked).model_dump(mode="json", exclude_none=True)
        self.check_params(normalised)
        return {**normalised, **{k: v for k, v in kept.items() if v is not None}}

    def placeholder_response(self, params: dict[str, Any]) -> dict[str, Any]:
        """A valid response of this type for `params` (validated params): what a test-mode
        task completes with at once. Every type overrides it."""
        raise NotImplementedError(f"{self.name} has no placeholder response")

    def validate_response(self, params: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
        """Check an annotator's response against the task's (validated) params.

        Returns the normalised response (defaults filled, e.g. uuids). Field paths in errors start
        at `response`.
        """
        if not isinstance(response, dict):
            raise InvalidRequest("must be an object", "response")
        model = parse(self.response_model, response, ("response",))
        normalised = model.model_dump(mode="json", exclude_none=True)
        self.check_response(params, normalised)
        return normalised

    def check_params(self, params: dict[str, Any]) -> None:
        """Cross-checks between fields of structurally valid params; override per type."""

    def check_response(self, params: dict[str, Any], response: dict[str, Any]) -> None:
        """Cross-checks between params and a structurally valid response; override per type.

        May complete `response` in place with values derived from the params (e.g. span text).
        """

    # --- quality hooks (workforce): overridden by types that can do better -------------------

    def consensus(
        self, params: dict[str, Any], responses: list[dict[str, Any]], weights: list[float]
    ) -> tuple[dict[str, Any], float]:
        """One answer from several annotators' responses, with a confidence in [0, 1].

        Default (free text): the answer of the most skilled annotator, as-is.
        """
        best = max(range(len(responses)), key=lambda i: weights[i])
        return responses[best], weights[best] / (sum(weights) or 1.0)

    def score(
        self, params: dict[str, Any], response: dict[str, Any], expected: dict[str, Any]
    ) -> float | None:
        """How well a response matches a known answer (gold), in [0, 1]; None = not scored."""
        return None

    def categorical_label(self, response: dict[str, Any]) -> str | None:
        """The single categorical answer of a response, for adaptive overlap; None if n/a."""
        return None

    # --- export hooks: overridden by types with a typed representation -----------------------

    def hf_fields(self) -> list[tuple[str, Any]]:
        """Type-specific Parquet columns (name, pyarrow type) of the `hf` export."""
        import pyarrow as pa

        return [("params", pa.string()), ("response", pa.string())]

    def hf_row(self, record: Record) -> dict[str, Any]:
        """Values of `hf_fields` for one task."""
        return {"params": json.dumps(record.params), "response": json.dumps(record.response)}

    # --- import hooks ---------------------------------------------------------------------

    def from_label_studio(
        self, data: dict[str, Any], results: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """A create body from a Label Studio task's `data` and result items."""
        raise InvalidRequest(f"Label Studio files do not import into {self.name} projects", "data")
