"""segmentannotation: semantic (and instance-aware) segmentation of an image into labels.

The response is Scale's: `labelMapping` (label -> `{index, color}`, a list of them for a label
with `instance_label: true`) and `annotations.combined.indexedImage`, a single-channel PNG whose pixel
values are those indexes (0 = unlabeled). Labelworks stores the PNG inline as a data URI. Consensus
is a skill-weighted per-pixel vote over the label each pixel got (instances fold into their label);
its answer indexes the labels in params order (1, 2, ...); a single annotator's answer is kept as
drawn. Exports: COCO with one RLE mask per label (per instance for instance labels) and image, PNG
label maps (`masks`, semantic), JSONL.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from labelworks.errors import InvalidRequest
from labelworks.tasktypes.base import Flag, Name, StrictModel, TaskType, parse
from labelworks.tasktypes.imageannotation import AnnotationAttribute
from labelworks.tasktypes.shapes import (
    ContextAttachment,
    Example,
    Layers,
    ObjectsToAnnotate,
    label_tree,
    labels_of,
)

if TYPE_CHECKING:
    import numpy as np

Index = Annotated[int, Field(strict=True, ge=1, le=255)]


class LabelIndex(StrictModel):
    index: Index
    color: str | None = None


class Combined(StrictModel):
    indexedImage: Name
    image: str | None = None
    extendedIndexedImage: str | None = None


class SegmentationAnnotations(StrictModel):
    combined: Combined
    labeled: dict[Name, str | list[str]] | None = None
    unlabeled: str | None = None


class SegmentationResponse(StrictModel):
    annotations: SegmentationAnnotations
    # label -> {index, color?} (or a bare index); a list of them for an instance label.
    # Checked entry by entry in `check_response`, for field paths as the caller wrote them.
    labelMapping: dict[Name, Any]


class SegmentationParams(StrictModel):
    attachment: Name
    attachment_type: Literal["image"] = "image"
    context_attachments: list[ContextAttachment] = []
    # At most 50, strings or LabelDescriptions (`instance_label: true` for one mask per object).
    labels: Annotated[ObjectsToAnnotate, Field(max_length=50)]
    annotation_attributes: dict[Name, AnnotationAttribute] = {}  # per instance
    allow_unlabeled: Flag = False
    hypothesis: SegmentationResponse | None = None
    examples: list[Example] = []
    layers: Layers | None = None


def label_names(params: dict[str, Any]) -> list[str]:
    return labels_of(params["labels"])


class SegmentAnnotation(TaskType):
    """Params `{attachment, labels, allow_unlabeled?, hypothesis?, ...}`; response
    `{"annotations": {"combined": {"indexedImage": <PNG data URI>}}, "labelMapping": {...}}`."""

    name = "segmentannotation"
    params_model = SegmentationParams
    response_model = SegmentationResponse
    export_formats = ("jsonl", "coco", "masks")
    has_images = True

    def check_params(self, params: dict[str, Any]) -> None:
        if len(label_names(params)) > 255:  # label maps are 8-bit, 0 is unlabeled
            raise InvalidRequest("at most 255 labels (counting subchoices)", "labels")
        if "hypothesis" in params:
            self._check_label_map(params, params["hypothesis"], "hypothesis")

    def check_response(self, params: dict[str, Any], response: dict[str, Any]) -> None:
        self._check_label_map(params, response, "response")

    def _check_label_map(
        self, params: dict[str, Any], response: dict[str, Any], prefix: str
    ) -> None:
        import numpy as np

        from labelworks.tasktypes import labelmap

        tree = label_tree(params["labels"])
        known = [label for label, _ in tree]
        instance = {label for label, is_instance in tree if is_instance}
        seen: set[int] = set()
        for label, entry in response["labelMapping"].items():
            path = f"{prefix}.labelMapping.{label}"
            if label not in known:
                raise InvalidRequest(f"{label!r} is not one of the task's labels {known}", path)
            if isinstance(entry, list) and label not in instance:
                raise InvalidRequest(
                    "only labels with instance_label map to a list of instances", path
                )
            items = []
            for i, item in enumerate(entry if isinstance(entry, list) else [entry]):
                where = f"{path}.{i}" if isinstance(entry, list) else path
                if isinstance(item, int) and not isinstance(item, bool):
                    item = {"index": item}  # a bare index
                checked = parse(LabelIndex, item, tuple(where.split("."))).model_dump(
                    exclude_none=True
                )
                if checked["index"] in seen:
                    raise InvalidRequest(f"index {checked['index']} is used twice", where)
                seen.add(checked["index"])
                checked.setdefault("color", labelmap.color(checked["index"]))
                items.append(checked)
            response["labelMapping"][label] = items if isinstance(entry, list) else items[0]
        path = f"{prefix}.annotations.combined.indexedImage"
        pixels = labelmap.decode_png(response["annotations"]["combined"]["indexedImage"], path)
        values = set(np.unique(pixels).tolist())
        stray = sorted(values - seen - {0})
        if stray:
            raise InvalidRequest(f"pixel values {stray[:10]} are not in labelMapping", path)
        # A hypothesis is a start to refine: it may leave pixels for the annotator.
        if 0 in values and prefix == "response" and not params.get("allow_unlabeled", False):
            raise InvalidRequest("has unlabeled pixels (0) but allow_unlabeled is false", path)

    # --- the label each pixel got -----------------------------------------------------------

    def class_map(self, params: dict[str, Any], response: dict[str, Any]) -> np.ndarray:
        """The response's label map with pixels indexing `label_names(params)` from 1."""
        from labelworks.tasktypes import labelmap

        order = {label: i for i, label in enumerate(label_names(params), start=1)}
        mapping: dict[int, int] = {}
        for label, entry in response["labelMapping"].items():
            for item in entry if isinstance(entry, list) else [entry]:
                mapping[item["index"]] = order.get(label, 0)
        pixels = labelmap.decode_png(
            response["annotations"]["combined"]["indexedImage"], "response"
        )
        return labelmap.remap(pixels, mapping)

    def from_class_map(self, params: dict[str, Any], classes: np.ndarray) -> dict[str, Any]:
        from labelworks.tasktypes import labelmap

        return {
            "annotations": {"combined": {"indexedImage": labelmap.encode_png(classes)}},
            "labelMapping": {
                label: {"index": i, "color": labelmap.color(i)}
                for i, label in enumerate(label_names(params), start=1)
            },
        }

    def consensus(
        self, params: dict[str, Any], responses: list[dict[str, Any]], weights: list[float]
    ) -> tuple[dict[str, Any], float]:
        """Per-pixel weighted vote. Only label maps the size of the most trusted annotator's
        take part (a map of another size cannot be lined up pixel by pixel)."""
        from labelworks.tasktypes import labelmap

        if len(responses) == 1:  # nothing to vote on: keep the instances as drawn
            return responses[0], 1.0
        maps = [self.class_map(params, r) for r in responses]
        best = max(range(len(maps)), key=lambda i: weights[i])
        keep = [i for i, m in enumerate(maps) if m.shape == maps[best].shape]
        voted, share = labelmap.vote([maps[i] for i in keep], [weights[i] for i in keep])
        return self.from_class_map(params, voted), share * len(keep) / len(maps)

    def score(
        self, params: dict[str, Any], response: dict[str, Any], expected: dict[str, Any]
    ) -> float | None:
        """Mean IoU over the labels in either map (pixel level)."""
        from labelworks.tasktypes import labelmap

        return labelmap.mean_iou(self.class_map(params, response), self.class_map(params, expected))

    def placeholder_response(self, params: dict[str, Any]) -> dict[str, Any]:
        """One pixel: unlabeled when allowed, else the first label."""
        import numpy as np

        fill = 0 if params.get("allow_unlabeled", False) else 1
        return self.from_class_map(params, np.full((1, 1), fill, dtype=np.uint8))

    # --- exports ------------------------------------------------------------------------------

    def response_size(self, response: dict[str, Any]) -> tuple[int, int]:
        """(width, height) of the label map: the image size COCO needs."""
        from labelworks.tasktypes import labelmap

        uri = response.get("annotations", {}).get("combined", {}).get("indexedImage", "")
        height, width = labelmap.decode_png(uri, "response").shape
        return width, height

    def label_masks(
        self, params: dict[str, Any], response: dict[str, Any]
    ) -> Iterator[tuple[str, np.ndarray]]:
        """(label, boolean mask) for each label that has pixels."""
        classes = self.class_map(params, response)
        for i, label in enumerate(label_names(params), start=1):
            mask = classes == i
            if mask.any():
                yield label, mask

    def coco_objects_for(
        self, params: dict[str, Any], response: dict[str, Any]
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """One COCO annotation per label present, per instance for instance labels: an RLE
        `segmentation` (compressed counts)."""
        from labelworks.tasktypes import labelmap

        pixels = labelmap.decode_png(
            response["annotations"]["combined"]["indexedImage"], "response"
        )
        for label, entry in response["labelMapping"].items():
            for item in entry if isinstance(entry, list) else [entry]:
                mask = pixels == item["index"]
                if not mask.any():
                    continue
                yield (
                    label,
                    {
                        "segmentation": labelmap.rle_encode(mask),
                        "bbox": labelmap.bbox(mask),
                        "area": float(mask.sum()),
                        "iscrowd": 0,
                    },
                )
