"""annotation: Scale's single-box image endpoint (see shapes.py for what it shares)."""

from __future__ import annotations

from labelworks.tasktypes.shapes import BoxParams, SingleGeometry


class Annotation(SingleGeometry):
    """Params `{attachment, objects_to_annotate, ...}`; response `{"annotations": [boxes]}`."""

    name = "annotation"
    shape = "box"
    params_model = BoxParams
    shape_options = ("min_width", "min_height")
    export_formats = ("jsonl", "hf", "coco", "yolo", "voc")
