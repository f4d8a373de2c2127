"""polygonannotation: Scale's single-polygon image endpoint (see shapes.py for what it shares)."""

from __future__ import annotations

from labelworks.tasktypes.shapes import PathParams, SingleGeometry


class PolygonAnnotation(SingleGeometry):
    """Params `{attachment, objects_to_annotate, ...}`; response `{"annotations": [polygons]}`."""

    name = "polygonannotation"
    shape = "polygon"
    params_model = PathParams
    shape_options = ("min_vertices", "max_vertices")
    export_formats = ("jsonl", "hf", "coco")
