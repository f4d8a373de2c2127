"""imageannotation: boxes, polygons, lines, points and ellipses on an image, in pixel coordinates.

The params say which geometries may be drawn and with which labels; a response (or the
`hypothesis` pre-labels in the params) is checked against them by one function.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Annotated, Any, ClassVar, Literal
from uuid import uuid4

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)

from labelworks.errors import InvalidRequest
from labelworks.tasktypes.base import (
    Count,
    Name,
    Names,
    Number,
    Record,
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
    params_model: ClassVar[type[BaseModel]] = ImageAnnotationParams
    response_model = ImageAnnotationResponse
    export_formats: ClassVar[tuple[str, ...]] = (
        "jsonl",
        "hf",
        "coco",
        "yolo",
        "voc",
        "label-studio",
    )
    has_images = True
    # Documented by Scale (with_labels, objects_to_annotate at top level: deprecated), kept but
    # not acted on.
    scale_params = (
        "context_attachments",
        "links",
        "layers",
        "base_annotations",
        "can_add_base_annotations",
        "can_edit_base_annotations",
        "can_edit_base_annotation_labels",
        "can_delete_base_annotations",
        "image_metadata",
        "padding",
        "paddingX",
        "paddingY",
        "examples",
        "with_labels",
        "objects_to_annotate",
    )

    def placeholder_response(self, params: dict[str, Any]) -> dict[str, Any]:
        """No objects: an empty image is a valid answer whatever the geometries."""
        return {"annotations": [], "global_attributes": {}}

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

    def consensus(
        self, params: dict[str, Any], responses: list[dict[str, Any]], weights: list[float]
    ) -> tuple[dict[str, Any], float]:
        """Geometry consensus: Hungarian matching at IoU 0.5, objects kept by a majority,
        boxes fused by skill-weighted coordinates, labels by weighted vote."""
        from labelworks.quality.geometry import fuse_annotations

        fused = fuse_annotations([r.get("annotations", []) for r in responses], weights)
        annotations = [
            {**a, "uuid": str(uuid4()), "attributes": a.get("attributes", {})}
            for a in fused.annotations
        ]
        return {"annotations": annotations, "global_attributes": {}}, float(fused.agreement)

    def score(
        self, params: dict[str, Any], response: dict[str, Any], expected: dict[str, Any]
    ) -> float | None:
        from labelworks.quality.geometry import annotation_f1

        return float(
            annotation_f1(response.get("annotations", []), expected.get("annotations", []), 0.5)
        )

    # --- exports and imports -------------------------------------------------------------

    def boxes(self, response: dict[str, Any]) -> Iterator[tuple[str, float, float, float, float]]:
        """(label, left, top, width, height) of each box: what YOLO and Pascal VOC hold."""
        for a in response["annotations"]:
            if a["type"] == "box":
                yield a["label"], a["left"], a["top"], a["width"], a["height"]

    def coco_objects(self, response: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        """(label, COCO annotation fields) per annotation: a box is `bbox` with an empty
        `segmentation` (as CVAT writes it), a polygon (an ellipse as a 32-gon) a one-part
        `segmentation`, a point one keypoint. Lines have no COCO form and are left out."""
        for a in response["annotations"]:
            kind = a["type"]
            extra = {"uuid": a["uuid"], "attributes": a.get("attributes", {})}
            if kind == "box":
                bbox = [a["left"], a["top"], a["width"], a["height"]]
                yield (
                    a["label"],
                    {
                        "bbox": bbox,
                        "area": a["width"] * a["height"],
                        "segmentation": [],
                        "iscrowd": 0,
                        **extra,
                    },
                )
            elif kind in ("polygon", "ellipse"):
                points = (
                    _ellipse_points(a)
                    if kind == "ellipse"
                    else [(v["x"], v["y"]) for v in a["vertices"]]
                )
                yield (
                    a["label"],
                    {
                        "bbox": _bounds(points),
                        "area": _shoelace(points),
                        "segmentation": [[c for p in points for c in p]],
                        "iscrowd": 0,
                        **extra,
                    },
                )
            elif kind == "point":
                yield (
                    a["label"],
                    {
                        "bbox": [a["x"], a["y"], 0, 0],
                        "area": 0,
                        "segmentation": [],
                        "keypoints": [a["x"], a["y"], 2],
                        "num_keypoints": 1,
                        "iscrowd": 0,
                        **extra,
                    },
                )

    def annotation_from_coco(self, label: str, obj: dict[str, Any]) -> dict[str, Any]:
        """The inverse of `coco_objects` for one COCO annotation (RLE masks become boxes)."""
        out: dict[str, Any] = {"label": label}
        if isinstance(obj.get("uuid"), str):
            out["uuid"] = obj["uuid"]
        if isinstance(obj.get("attributes"), dict):
            out["attributes"] = obj["attributes"]
        seg, keypoints = obj.get("segmentation"), obj.get("keypoints")
        if isinstance(seg, list) and seg and isinstance(seg[0], list) and len(seg[0]) >= 6:
            flat = seg[0]
            out.update(
                type="polygon",
                vertices=[{"x": flat[i], "y": flat[i + 1]} for i in range(0, len(flat) - 1, 2)],
            )
        elif isinstance(keypoints, list) and len(keypoints) >= 3 and obj.get("num_keypoints"):
            out.update(type="point", x=keypoints[0], y=keypoints[1])
        else:
            left, top, width, height = obj["bbox"]
            out.update(type="box", left=left, top=top, width=width, height=height)
        return out

    def label_studio_task(self, record: Record) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Label Studio `data` and result items (percent coordinates; none when the image size
        is unknown, since percentages need it)."""
        data = {"image": record.params["attachment"]}
        if not record.response or not record.width or not record.height:
            return data, []
        return data, [
            item
            for a in record.response["annotations"]
            if (item := _ls_item(a, record.width, record.height)) is not None
        ]

    def from_label_studio(
        self, data: dict[str, Any], results: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """`data.image` is the attachment; rectangles, polygons and key points become the
        `hypothesis` (pixels from the items' `original_width/height`)."""
        image = data.get("image")
        if not isinstance(image, str):
            raise InvalidRequest("is required (the image URL)", "data.image")
        annotations = self.annotations_from_label_studio(results)
        return {
            "attachment": image,
            **({"hypothesis": {"annotations": annotations}} if annotations else {}),
        }

    def annotations_from_label_studio(self, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Annotations from Label Studio result items (pixels from `original_width/height`)."""
        out = []
        for item in results:
            value, kind = item.get("value") or {}, item.get("type")
            width, height = item.get("original_width"), item.get("original_height")
            if kind not in _LS_KINDS or not width or not height:
                continue
            labels = value.get(f"{kind}") or value.get("labels") or [None]
            ann: dict[str, Any] = {"label": labels[0]}
            if isinstance(item.get("id"), str):
                ann["uuid"] = item["id"]
            sx, sy = width / 100, height / 100
            if kind == "rectanglelabels":
                ann.update(
                    type="box",
                    left=value["x"] * sx,
                    top=value["y"] * sy,
                    width=value["width"] * sx,
                    height=value["height"] * sy,
                )
            elif kind == "polygonlabels":
                ann.update(
                    type="polygon",
                    vertices=[{"x": x * sx, "y": y * sy} for x, y in value["points"]],
                )
            else:
                ann.update(type="point", x=value["x"] * sx, y=value["y"] * sy)
            out.append(ann)
        return out

    def hf_fields(self) -> list[tuple[str, Any]]:
        import pyarrow as pa

        obj = pa.struct(
            [
                ("uuid", pa.string()),
                ("type", pa.string()),
                ("label", pa.string()),
                ("bbox", pa.list_(pa.float64())),
                ("points", pa.list_(pa.list_(pa.float64()))),
                ("attributes", pa.string()),
            ]
        )
        return [
            ("image", pa.string()),
            ("width", pa.int32()),
            ("height", pa.int32()),
            ("objects", pa.list_(obj)),
        ]

    def hf_row(self, record: Record) -> dict[str, Any]:
        """`bbox` is [left, top, width, height] in pixels for every shape (its bounds);
        `points` the vertices (polygon, line), the centre (point, ellipse), none for a box."""
        objects = []
        for a in (record.response or {}).get("annotations", []):
            kind = a["type"]
            if kind == "box":
                bbox, points = [a["left"], a["top"], a["width"], a["height"]], []
            else:
                points = (
                    [[v["x"], v["y"]] for v in a["vertices"]]
                    if "vertices" in a
                    else [[a["x"], a["y"]]]
                )
                bbox = _bounds(_points(a))
            attributes = a.get("attributes")
            objects.append(
                {
                    "uuid": a["uuid"],
                    "type": kind,
                    "label": a["label"],
                    "bbox": bbox,
                    "points": points,
                    "attributes": json.dumps(attributes) if attributes else "{}",
                }
            )
        return {
            "image": record.params["attachment"],
            "width": record.width,
            "height": record.height,
            "objects": objects,
        }


_LS_KINDS = ("rectanglelabels", "polygonlabels", "keypointlabels")


def _ls_item(a: dict[str, Any], width: int, height: int) -> dict[str, Any] | None:
    """One Label Studio result item; lines and ellipses have no Label Studio image control
    among the three we map to (RectangleLabels, PolygonLabels, KeyPointLabels)."""
    px, py = 100 / width, 100 / height
    kind = a["type"]
    if kind == "box":
        name, value = (
            "rectanglelabels",
            {
                "x": a["left"] * px,
                "y": a["top"] * py,
                "width": a["width"] * px,
                "height": a["height"] * py,
                "rotation": 0,
            },
        )
    elif kind == "polygon":
        name, value = (
            "polygonlabels",
            {"points": [[v["x"] * px, v["y"] * py] for v in a["vertices"]]},
        )
    elif kind == "point":
        name, value = "keypointlabels", {"x": a["x"] * px, "y": a["y"] * py, "width": 0.5}
    else:
        return None
    return {
        "id": a["uuid"],
        "from_name": name.removesuffix("labels"),
        "to_name": "image",
        "type": name,
        "original_width": width,
        "original_height": height,
        "image_rotation": 0,
        "value": {**value, name: [a["label"]]},
    }


def _points(a: dict[str, Any]) -> list[tuple[float, float]]:
    kind = a["type"]
    if kind == "box":
        x, t, w, h = a["left"], a["top"], a["width"], a["height"]
        return [(x, t), (x + w, t), (x + w, t + h), (x, t + h)]
    if kind in ("polygon", "line"):
        return [(v["x"], v["y"]) for v in a["vertices"]]
    if kind == "ellipse":
        return _ellipse_points(a)
    return [(a["x"], a["y"])]


def _ellipse_points(a: dict[str, Any], n: int = 32) -> list[tuple[float, float]]:
    angle = math.radians(a.get("angle", 0))
    cos, sin = math.cos(angle), math.sin(angle)
    out = []
    for i in range(n):
        t = 2 * math.pi * i / n
        dx, dy = a["rx"] * math.cos(t), a["ry"] * math.sin(t)
        out.append((max(0.0, a["x"] + dx * cos - dy * sin), max(0.0, a["y"] + dx * sin + dy * cos)))
    return out


def _bounds(points: list[tuple[float, float]]) -> list[float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]


def _shoelace(points: list[tuple[float, float]]) -> float:
    n = len(points)
    return (
        abs(
            sum(
                points[i][0] * points[(i + 1) % n][1] - points[(i + 1) % n][0] * points[i][1]
                for i in range(n)
            )
        )
        / 2
    )


def check_annotations(
    params: dict[str, Any], annotations: list[dict[str, Any]], prefix: str
) -> None:
    """Each annotation uses one of the task's geometries, its labels, options and attributes."""
    uuids: set[str] = set()
    for i, ann in enumerate(annotations):
        path = f"{prefix}.annotations.{i}"
        kind = ann["type"]
        geometry = params["geometries"].get(kind)
        if geometry is None:
            raise InvalidRequest(
                f"{kind!r} is not one of the task's geometries {sorted(params['geometries'])}",
                f"{path}.type",
            )
        if ann["label"] not in geometry["objects_to_annotate"]:
            raise InvalidRequest(
                f"{ann['label']!r} is not in geometries.{kind}.objects_to_annotate", f"{path}.label"
            )
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
                raise InvalidRequest(f"must be at least {option} ({low:g})", f"{path}.{side}")
    if kind in SHAPE_MIN_VERTICES:
        count = len(ann["vertices"])
        low = max(SHAPE_MIN_VERTICES[kind], geometry.get("min_vertices", 0))
        high = geometry.get("max_vertices")
        if count < low:
            raise InvalidRequest(
                f"a {kind} needs at least {low} vertices, got {count}", f"{path}.vertices"
            )
        if high is not None and count > high:
            raise InvalidRequest(
                f"a {kind} takes at most {high} vertices, got {count}", f"{path}.vertices"
            )


def _check_attributes(specs: dict[str, Any], ann: dict[str, Any], path: str) -> None:
    for name, value in ann["attributes"].items():
        spec = specs.get(name)
        if spec is None:
            raise InvalidRequest(
                f"unknown attribute; expected one of {sorted(specs)}", f"{path}.{name}"
            )
        labels = _condition_labels(spec)
        if labels is not None and ann["label"] not in labels:
            raise InvalidRequest(f"does not apply to label {ann['label']!r}", f"{path}.{name}")
        if spec["type"] == "category" and value not in spec["choices"]:
            raise InvalidRequest(
                f"{value!r} is not one of the choices {spec['choices']}", f"{path}.{name}"
            )
        if spec["type"] == "text" and not isinstance(value, str):
            raise InvalidRequest("must be a string", f"{path}.{name}")
        if spec["type"] == "number":
            check_number(value, f"{path}.{name}", spec.get("min"), spec.get("max"))


def _condition_labels(spec: dict[str, Any]) -> list[str] | None:
    """The labels an attribute is limited to, or None when it applies to every label."""
    condition = (spec.get("conditions") or {}).get("label_condition")
    return condition["label"] if condition else None
