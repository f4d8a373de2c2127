"""imageannotation: boxes, polygons, lines, points and ellipses on an image, in pixel coordinates.

The params say which geometries may be drawn and with which labels; a response (or the
`hypothesis` pre-labels in the params) is checked against them by one function.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import uuid4

from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator

from labelworks.errors import InvalidRequest
from labelworks.tasktypes.base import (
    Count,
    Name,
    Names,
    Number,
    StrictModel,
    TaskType,
    at_least,
    check_number,
    non_empty,
)

GEOMETRIES = ("box", "polygon", "line", "point", "ellipse")
# Fewest vertices that make the shape at all; `min_vertices` can only raise this.
SHAPE_MIN_VERTICES = {"polygon": 3, "line": 2}

Coordinate = Annotated[Number, Field(ge=0)]
Extent = Annotated[Number, Field(gt=0)]


# --- Annotations: the response, and the hypothesis in the params ---------------------------

class _Annotation(StrictModel):
    type: str  # narrowed to a Literal by each shape; declared here so it is dumped first
    uuid: Name = Field(default_factory=lambda: str(uuid4()))
    label: Name
    attributes: dict[str, Any] = {}


class BoxAnnotation(_Annotation):
    type: Literal["box"]
    left: Coordinate
    top: Coordinate
    width: Extent
    height: Extent


class Vertex(StrictModel):
    x: Coordinate
    y: Coordinate


class PolygonAnnotation(_Annotation):
    type: Literal["polygon"]
    vertices: Annotated[list[Vertex], Field(min_length=SHAPE_MIN_VERTICES["polygon"])]


class LineAnnotation(_Annotation):
    type: Literal["line"]
    vertices: Annotated[list[Vertex], Field(min_length=SHAPE_MIN_VERTICES["line"])]


class PointAnnotation(_Annotation):
    type: Literal["point"]
    x: Coordinate
    y: Coordinate


class EllipseAnnotation(_Annotation):
    type: Literal["ellipse"]
    x: Coordinate
    y: Coordinate
    rx: Extent
    ry: Extent
    angle: Number = 0  # degrees, rotation of the rx axis


Annotation = Annotated[
    BoxAnnotation | PolygonAnnotation | LineAnnotation | PointAnnotation | EllipseAnnotation,
    Field(discriminator="type"),
]


class ImageAnnotationResponse(StrictModel):
    annotations: list[Annotation]  # empty: there is nothing to annotate in the image
    global_attributes: dict[str, Any] = {}


# --- Params ----------------------------------------------------------------------------------

class Geometry(StrictModel):
    objects_to_annotate: Names


class BoxGeometry(Geometry):
    min_width: Annotated[Number, Field(ge=0)] = 0
    min_height: Annotated[Number, Field(ge=0)] = 0


class PathGeometry(Geometry):
    min_vertices: Count | None = None
    max_vertices: Count | None = None

    _max_at_least_min = field_validator("max_vertices")(at_least("min_vertices"))


class Geometries(StrictModel):
    box: BoxGeometry | None = None
    polygon: PathGeometry | None = None
    line: PathGeometry | None = None
    point: Geometry | None = None
    ellipse: Geometry | None = None

    @model_validator(mode="after")
    def _at_least_one(self) -> Geometries:
        if all(getattr(self, name) is None for name in GEOMETRIES):
            raise ValueError(f"must include at least one of {', '.join(GEOMETRIES)}")
        return self


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value  # Scale also accepts a single label


class LabelCondition(StrictModel):
    label: Annotated[list[Name], BeforeValidator(_as_list), AfterValidator(non_empty)]


class Conditions(StrictModel):
    label_condition: LabelCondition | None = None


class _Attribute(StrictModel):
    type: str  # narrowed by each kind; declared here so it is dumped first
    description: str | None = None
    conditions: Conditions | None = None


class CategoryAttribute(_Attribute):
    type: Literal["category"]
    choices: Names


class TextAttribute(_Attribute):
    type: Literal["text"]


class NumberAttribute(_Attribute):
    type: Literal["number"]
    min: Number | None = None
    max: Number | None = None

    _max_at_least_min = field_validator("max")(at_least("min"))


def _category_by_default(value: Any) -> Any:
    # Scale's attributes predate `type`: one without it is a category attribute.
    if isinstance(value, dict) and "type" not in value:
        return {"type": "category", **value}
    return value


AnnotationAttribute = Annotated[
    CategoryAttribute | TextAttribute | NumberAttribute,
    Field(discriminator="type"),
    BeforeValidator(_category_by_default),
]


class ImageAnnotationParams(StrictModel):
    attachment: Name
    attachment_type: Literal["image"] = "image"
    geometries: Geometries
    annotation_attributes: dict[Name, AnnotationAttribute] = {}
    hypothesis: ImageAnnotationResponse | None = None


class ImageAnnotation(TaskType):
    """Params `{attachment, geometries, annotation_attributes?, hypothesis?}`; response
    `{"annotations": [...], "global_attributes": {}}` with server-assigned uuids."""

    name = "imageannotation"
    params_model = ImageAnnotationParams
    response_model = ImageAnnotationResponse

    def check_params(self, params: dict[str, Any]) -> None:
        known = {label for g in params["geometries"].values() for label in g["objects_to_annotate"]}
        for name, spec in params.get("annotation_attributes", {}).items():
            for i, label in enumerate(_condition_labels(spec) or []):
                if label not in known:
                    raise InvalidRequest(
                        f"{label!r} is not in any geometry's objects_to_annotate",
                        f"annotation_attributes.{name}.conditions.label_condition.label.{i}",
                    )
        if "hypothesis" in params:
            check_annotations(params, params["hypothesis"]["annotations"], "hypothesis")

    def check_response(self, params: dict[str, Any], response: dict[str, Any]) -> None:
        check_annotations(params, response["annotations"], "response")

    def consensus(self, params: dict[str, Any], responses: list[dict[str, Any]],
                  weights: list[float]) -> tuple[dict[str, Any], float]:
        """Geometry consensus: Hungarian matching at IoU 0.5, objects kept by a majority,
        boxes fused by skill-weighted coordinates, labels by weighted vote."""
        from labelworks.quality import fuse_annotations

        fused = fuse_annotations([r.get("annotations", []) for r in responses], weights)
        annotations = [{**a, "uuid": str(uuid4()), "attributes": a.get("attributes", {})}
                       for a in fused.annotations]
        return {"annotations": annotations, "global_attributes": {}}, float(fused.agreement)

    def score(self, params: dict[str, Any], response: dict[str, Any],
              expected: dict[str, Any]) -> float | None:
        from labelworks.quality import annotation_f1

        return float(annotation_f1(response.get("annotations", []),
                                   expected.get("annotations", []), 0.5))

def check_annotations(params: dict[str, Any], annotations: list[dict[str, Any]],
                      prefix: str) -> None:
    """Each annotation uses one of the task's geometries, its labels, options and attributes."""
    uuids: set[str] = set()
    for i, ann in enumerate(annotations):
        path = f"{prefix}.annotations.{i}"
        kind = ann["type"]
        geometry = params["geometries"].get(kind)
        if geometry is None:
            raise InvalidRequest(f"{kind!r} is not one of the task's geometries "
                                 f"{sorted(params['geometries'])}", f"{path}.type")
        if ann["label"] not in geometry["objects_to_annotate"]:
            raise InvalidRequest(f"{ann['label']!r} is not in geometries.{kind}."
                                 "objects_to_annotate", f"{path}.label")
        if ann["uuid"] in uuids:
            raise InvalidRequest("duplicate uuid", f"{path}.uuid")
        uuids.add(ann["uuid"])
        _check_shape(kind, geometry, ann, path)
        _check_attributes(params.get("annotation_attributes", {}), ann, f"{path}.attributes")


def _check_shape(kind: str, geometry: dict[str, Any], ann: dict[str, Any], path: str) -> None:
    if kind == "box":
        for side, option in (("width", "min_width"), ("height", "min_height")):
            low = geometry.get(option, 0)
            if ann[side] < low:
                raise InvalidRequest(f"must be at least {option} ({low:g})",
                                     f"{path}.{side}")
    if kind in SHAPE_MIN_VERTICES:
        count = len(ann["vertices"])
        low = max(SHAPE_MIN_VERTICES[kind], geometry.get("min_vertices", 0))
        high = geometry.get("max_vertices")
        if count < low:
            raise InvalidRequest(f"a {kind} needs at least {low} vertices, got {count}",
                                 f"{path}.vertices")
        if high is not None and count > high:
            raise InvalidRequest(f"a {kind} takes at most {high} vertices, got {count}",
                                 f"{path}.vertices")


def _check_attributes(specs: dict[str, Any], ann: dict[str, Any], path: str) -> None:
    for name, value in ann["attributes"].items():
        spec = specs.get(name)
        if spec is None:
            raise InvalidRequest(f"unknown attribute; expected one of {sorted(specs)}",
                                 f"{path}.{name}")
        labels = _condition_labels(spec)
        if labels is not None and ann["label"] not in labels:
            raise InvalidRequest(f"does not apply to label {ann['label']!r}", f"{path}.{name}")
        if spec["type"] == "category" and value not in spec["choices"]:
            raise InvalidRequest(f"{value!r} is not one of the choices {spec['choices']}",
                                 f"{path}.{name}")
        if spec["type"] == "text" and not isinstance(value, str):
            raise InvalidRequest("must be a string", f"{path}.{name}")
        if spec["type"] == "number":
            check_number(value, f"{path}.{name}", spec.get("min"), spec.get("max"))


def _condition_labels(spec: dict[str, Any]) -> list[str] | None:
    """The labels an attribute is limited to, or None when it applies to every label."""
    condition = (spec.get("conditions") or {}).get("label_condition")
    return condition["label"] if condition else None
