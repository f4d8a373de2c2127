"""lineannotation: Scale's single-line image endpoint (see shapes.py for what it shares)."""

from __future__ import annotations

from labelworks.tasktypes.shapes import LineParams, SingleGeometry


class LineAnnotation(SingleGeometry):
    """Params `{attachment, objects_to_annotate, ...}`; response `{"annotations": [lines]}`."""

    name = "lineannotation"
    shape = "line"
    params_model = LineParams
    shape_options = ("min_vertices", "max_vertices")
    export_formats = ("jsonl", "hf")
