"""What every task type module provides.

A task type is one module in this package holding one `TaskType` subclass: the Pydantic models
for its params (what the customer sends) and its response (what an annotator returns), plus the
checks that need both (a response's label must be one of the task's categories). Consensus and
export hooks live on the same class so that adding a type is one new file.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from labelworks.errors import InvalidRequest, from_validation_error


class StrictModel(BaseModel):
    """Unknown fields are an error: a typo in a param must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class TaskType:
    name: ClassVar[str]
    params_model: ClassVar[type[BaseModel]]
    response_model: ClassVar[type[BaseModel]]

    def validate_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """Check the type-specific params; return them normalised (JSON-ready, no None values).

        Raises InvalidRequest naming the field (e.g. `geometries.box.objects_to_annotate`).
        """
        try:
            model = self.params_model.model_validate(params)
        except ValidationError as exc:
            raise from_validation_error(exc) from None
        return model.model_dump(mode="json", exclude_none=True)

    def validate_response(self, params: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
        """Check an annotator's response against the task's (validated) params.

        Returns the normalised response (defaults filled, e.g. uuids). Field paths in errors start
        at `response`.
        """
        if not isinstance(response, dict):
            raise InvalidRequest("must be an object", "response")
        try:
            model = self.response_model.model_validate(response)
        except ValidationError as exc:
            raise from_validation_error(exc, ("response",)) from None
        normalised = model.model_dump(mode="json", exclude_none=True)
        self.check_response(params, normalised)
        return normalised

    def check_response(self, params: dict[str, Any], response: dict[str, Any]) -> None:
        """Cross-checks between params and a structurally valid response; override per type."""
