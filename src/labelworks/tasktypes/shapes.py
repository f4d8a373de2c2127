"""Scale's single-geometry image endpoints: `annotation` (boxes), `polygonannotation`,
`lineannotation`, `pointannotation`.

They predate `imageannotation` and take its options flat (`objects_to_annotate`, `min_width`,
`min_vertices`...) for one shape. Each is `imageannotation` restricted to that shape: the params are
mapped to one `geometries` entry and validation, consensus, gold scoring and exports are the ones
of `imageannotation.py` (and `quality/geometry.py`). Stored annotations carry their `type`, so a
response reads the same as an `imageannotation` one; a submitted annotation may leave it out.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BeforeValidator, Discriminator, Field, Tag, field_validator

from labelworks.errors import InvalidRequest
from labelworks.tasktypes.base import (
    Count,
    Flag,
    Name,
    Number,
    StrictModel,
    at_least,
    first_duplicate,
    non_empty,
    parse,
)
from labelworks.tasktypes.imageannotation import (
    AnnotationAttribute,
    Coordinate,
    Extent,
    ImageAnnotation,
    ImageAnnotationResponse,
    Vertex,
    check_annotations,
)


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str | dict) else value


def _label_kind(value: Any) -> str:
    return "name" if isinstance(value, str) else "description"


class LabelDescription(StrictModel):
    """Scale's nested label: a `choice` with `subchoices` is only a menu; its leaves are the
    labels. `instance_label` (segmentation) asks for one mask per object of that label;
    `display` is what annotators read instead of `choice`."""

    choice: Name
    subchoices: list[Label] = []
    instance_label: Flag = False
    display: str | None = None
    description: str | None = None


# A label is a string or a LabelDescription; tagged by the value's JSON type so that an error
# inside a LabelDescription is reported on its own field, not as "not a string".
Label = Annotated[
    Annotated[Name, Tag("name")] | Annotated[LabelDescription, Tag("description")],
    Discriminator(_label_kind),
]
LabelDescription.model_rebuild()


def _distinct_labels(items: list[Any]) -> list[Any]:
    first_duplicate(labels_of(items), "label")
    return items


ObjectsToAnnotate = Annotated[
    list[Label],
    BeforeValidator(_as_list),
    AfterValidator(non_empty),
    AfterValidator(_distinct_labels),
]


def label_tree(objects: list[Any]) -> list[tuple[str, bool]]:
    """(label, instance_label) of each selectable label: strings, and the leaves of
    LabelDescriptions (a choice with subchoices is not itself a label)."""
    out: list[tuple[str, bool]] = []
    for item in objects:
        if isinstance(item, str):
            out.append((item, False))
            continue
        node = item if isinstance(item, dict) else item.model_dump()
        if node.get("subchoices"):
            out.extend(label_tree(node["subchoices"]))
        else:
            out.append((node["choice"], bool(node.get("instance_label", False))))
    return out


def labels_of(objects: list[Any]) -> list[str]:
    """The labels `objects_to_annotate` (or segmentation `labels`) allows, in order."""
    return [label for label, _ in label_tree(objects)]


class Example(StrictModel):
    """An example image shown to annotators (Scale's `examples`)."""

    correct: Flag = True
    image: Name
    explanation: str | None = None


class _LayerShape(StrictModel):
    label: Name | None = None


class LayerBox(_LayerShape):
    left: Coordinate
    top: Coordinate
    width: Extent
    height: Extent


class LayerPath(_LayerShape):
    vertices: Annotated[list[Vertex], Field(min_length=2)]


class LayerPoint(_LayerShape):
    x: Coordinate
    y: Coordinate


class LayerEllipse(LayerPoint):
    rx: Extent
    ry: Extent
    angle: Number = 0


class Layers(StrictModel):
    """Read-only shapes drawn under the work (Scale's `layers`), in pixels."""

    boxes: list[LayerBox] = []
    polygons: list[LayerPath] = []
    lines: list[LayerPath] = []
    points: list[LayerPoint] = []
    ellipses: list[LayerEllipse] = []


class ContextAttachment(StrictModel):
    """A reference image shown beside the one to annotate (Scale's `context_attachments`)."""

    attachment: Name


class SingleGeometryParams(StrictModel):
    attachment: Name
    attachment_type: Literal["image"] = "image"
    context_attachments: list[ContextAttachment] = []
    objects_to_annotate: ObjectsToAnnotate
    with_labels: Flag = True
    examples: list[Example] = []
    annotation_attributes: dict[Name, AnnotationAttribute] = {}
    layers: Layers | None = None
    hypothesis: ImageAnnotationResponse | None = None
    # Deprecated spellings of `hypothesis` and its editing rights; accepted and kept.
    base_annotations: ImageAnnotationResponse | None = None
    can_add_base_annotations: Flag | None = None
    can_edit_base_annotations: Flag | None = None
    can_edit_base_annotation_labels: Flag | None = None
    can_delete_base_annotations: Flag | None = None
    # Pixels shown around the image (Scale: `padding`, or per axis `paddingX` / `paddingY`).
    padding: Annotated[Number, Field(ge=0)] | None = None
    paddingX: Annotated[Number, Field(ge=0)] | None = None
    paddingY: Annotated[Number, Field(ge=0)] | None = None


class BoxParams(SingleGeometryParams):
    min_width: Annotated[Number, Field(ge=0)] = 0
    min_height: Annotated[Number, Field(ge=0)] = 0


class PathParams(SingleGeometryParams):
    min_vertices: Count | None = None
    max_vertices: Count | None = None

    _max_at_least_min = field_validator("max_vertices")(at_least("min_vertices"))


class LineParams(PathParams):
    splines: Flag = False


class SingleGeometry(ImageAnnotation):
    """Params `{attachment, objects_to_annotate, with_labels?, ...}`; response
    `{"annotations": [...]}` of one shape. `with_labels: false` means the annotator only draws:
    an annotation without a label gets the first of `objects_to_annotate`."""

    shape: ClassVar[str]
    # Params copied into the `geometries` entry that `check_annotations` reads.
    shape_options: ClassVar[tuple[str, ...]] = ()
    export_formats: ClassVar[tuple[str, ...]] = ("jsonl", "hf", "coco")

    def geometry_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """The params as `imageannotation` would hold them: one geometry."""
        geometry = {"objects_to_annotate": labels_of(params["objects_to_annotate"])}
        geometry.update({k: params[k] for k in self.shape_options if k in params})
        return {**params, "geometries": {self.shape: geometry}}

    def check_params(self, params: dict[str, Any]) -> None:
        typed = self.geometry_params(params)
        for key in ("hypothesis", "base_annotations"):
            if key in params:
                check_annotations(typed, params[key]["annotations"], key)
        super().check_params({k: v for k, v in typed.items() if k != "hypothesis"})

    def validate_params(
        self, params: dict[str, Any], warnings: list[str] | None = None
    ) -> dict[str, Any]:
        if isinstance(params, dict):
            params = {
                k: self._typed(v) if k in ("hypothesis", "base_annotations") else v
                for k, v in params.items()
            }
        return super().validate_params(params, warnings)

    def validate_response(self, params: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(response, dict):
            raise InvalidRequest("must be an object", "response")
        default_label = (
            None if params.get("with_labels", True) else labels_of(params["objects_to_annotate"])[0]
        )
        typed = self._typed(response, default_label)
        model = parse(self.response_model, typed, ("response",))
        normalised = model.model_dump(mode="json", exclude_none=True)
        normalised.pop("global_attributes", None)  # not part of these endpoints' responses
        check_annotations(self.geometry_params(params), normalised["annotations"], "response")
        return normalised

    def _typed(self, response: Any, default_label: str | None = None) -> Any:
        """Each annotation with this endpoint's `type` (and the default label) filled in."""
        if not isinstance(response, dict) or not isinstance(response.get("annotations"), list):
            return response
        annotations = []
        for a in response["annotations"]:
            if isinstance(a, dict):
                a = {"type": self.shape, **a}
                if default_label is not None and "label" not in a:
                    a["label"] = default_label
            annotations.append(a)
        return {**response, "annotations": annotations}

    def consensus(
        self, params: dict[str, Any], responses: list[dict[str, Any]], weights: list[float]
    ) -> tuple[dict[str, Any], float]:
        answer, confidence = super().consensus(params, responses, weights)
        # Scale's response shape: no fusion bookkeeping (`support`), no global attributes.
        annotations = [
            {k: v for k, v in a.items() if k != "support"} for a in answer["annotations"]
        ]
        return {"annotations": annotations}, confidence

    def placeholder_response(self, params: dict[str, Any]) -> dict[str, Any]:
        """A valid answer for test-environment tasks: nothing drawn."""
        return {"annotations": []}
