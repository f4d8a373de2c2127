"""What every task type module provides.

A task type is one module in this package holding one `TaskType` subclass: the Pydantic models
for its params (what the customer sends) and its response (what an annotator returns), plus the
checks that need both (a response's label must be one of the task's categories). Consensus and
export hooks live on the same class so that adding a type is one new file.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from labelworks.errors import InvalidRequest, field_path, from_validation_error

T = TypeVar("T")


class StrictModel(BaseModel):
    """Unknown fields are an error: a typo in a param must not be silently ignored."""

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


def request_error(exc: ValidationError, data: Any, prefix: tuple[Any, ...] = ()) -> InvalidRequest:
    """`from_validation_error`, with the field path written the way the caller wrote the input.

    Pydantic puts a discriminated union's tag into the location (`annotations.0.box.width`); the
    caller never wrote `box` there, so it is dropped. A missing or unknown tag is reported on the
    `type` key the caller has to fix.
    """
    base = from_validation_error(exc, prefix)
    first = exc.errors()[0]
    loc: list[Any] = []
    node = data
    parts = first["loc"]
    for i, part in enumerate(parts):
        if _is_synthetic(node, part, last=i == len(parts) - 1):
            continue
        loc.append(part)
        node = _child(node, part)
    if first["type"] in ("union_tag_invalid", "union_tag_not_found"):
        loc.append("type")
        if first["type"] == "union_tag_not_found":
            return InvalidRequest("Field required", field_path((*prefix, *loc)))
    return InvalidRequest(base.message, field_path((*prefix, *loc)))


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


class TaskType:
    name: ClassVar[str]
    params_model: ClassVar[type[BaseModel]]
    response_model: ClassVar[type[BaseModel]]

    def validate_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """Check the type-specific params; return them normalised (JSON-ready, no None values).

        Raises InvalidRequest naming the field (e.g. `geometries.box.objects_to_annotate`).
        """
        normalised = parse(self.params_model, params).model_dump(mode="json", exclude_none=True)
        self.check_params(normalised)
        return normalised

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
