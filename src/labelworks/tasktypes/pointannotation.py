"""pointannotation: Scale's single-point image endpoint (see shapes.py for what it shares)."""

from __future__ import annotations

from labelworks.tasktypes.shapes import SingleGeometry, SingleGeometryParams


class PointAnnotation(SingleGeometry):
    """Params `{attachment, objects_to_annotate, ...}`; response `{"annotations": [points]}`."""

    name = "pointannotation"
    shape = "point"
    params_model = SingleGeometryParams
    shape_options = ()
    export_formats = ("jsonl", "hf", "coco")
