"""categorization: pick one (or, with allow_multiple, several) of a list of categories."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator

from labelworks.errors import InvalidRequest
from labelworks.tasktypes.base import Flag, Name, Names, StrictModel, TaskType, first_duplicate


class CategorizationParams(StrictModel):
    attachment: Name
    attachment_type: Literal["image", "text", "website", "pdf", "video"] = "image"
    categories: Names
    allow_multiple: Flag = False


def _category_value(value: Any) -> Any:
    # One field holds a name or a list of names; which one is allowed depends on the params, so
    # the shape is checked here and the choice in `check_response`.
    if isinstance(value, str) or (isinstance(value, list)
                                  and all(isinstance(v, str) for v in value)):
        return value
    raise ValueError("must be a category name or a list of category names")


class CategorizationResponse(StrictModel):
    category: Annotated[Any, AfterValidator(_category_value)]


class Categorization(TaskType):
    """Params `{attachment, attachment_type, categories, allow_multiple}`; response
    `{"category": "red"}`, or `{"category": ["red", "blue"]}` when allow_multiple."""

    name = "categorization"
    params_model = CategorizationParams
    response_model = CategorizationResponse

    def check_response(self, params: dict[str, Any], response: dict[str, Any]) -> None:
        category = response["category"]
        if not params.get("allow_multiple"):
            if not isinstance(category, str):
                raise InvalidRequest("must be one category (allow_multiple is false)",
                                     "response.category")
            _check_known(params, category, "response.category")
            return
        if not isinstance(category, list) or not category:
            raise InvalidRequest("must be a non-empty list of categories (allow_multiple is true)",
                                 "response.category")
        for i, item in enumerate(category):
            _check_known(params, item, f"response.category.{i}")
        try:
            first_duplicate(category, "category")
        except ValueError as exc:
            raise InvalidRequest(str(exc), "response.category") from None


def _check_known(params: dict[str, Any], category: str, path: str) -> None:
    if category not in params["categories"]:
        raise InvalidRequest(f"{category!r} is not one of the categories {params['categories']}",
                             path)
