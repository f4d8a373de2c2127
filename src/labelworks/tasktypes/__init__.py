"""Task types: one module each. `get_task_type(name)` is the only way in."""

from __future__ import annotations

from labelworks.errors import InvalidRequest
from labelworks.tasktypes.annotation import Annotation
from labelworks.tasktypes.base import TaskType
from labelworks.tasktypes.categorization import Categorization
from labelworks.tasktypes.comparison import Comparison
from labelworks.tasktypes.datacollection import DataCollection
from labelworks.tasktypes.documenttranscription import DocumentTranscription
from labelworks.tasktypes.imageannotation import ImageAnnotation
from labelworks.tasktypes.lineannotation import LineAnnotation
from labelworks.tasktypes.namedentityrecognition import NamedEntityRecognition
from labelworks.tasktypes.pointannotation import PointAnnotation
from labelworks.tasktypes.polygonannotation import PolygonAnnotation
from labelworks.tasktypes.segmentannotation import SegmentAnnotation
from labelworks.tasktypes.textcollection import TextCollection
from labelworks.tasktypes.transcription import Transcription

REGISTRY: dict[str, TaskType] = {
    t.name: t
    for t in (
        Categorization(),
        ImageAnnotation(),
        NamedEntityRecognition(),
        TextCollection(),
        Transcription(),
        Comparison(),
        Annotation(),
        PolygonAnnotation(),
        LineAnnotation(),
        PointAnnotation(),
        SegmentAnnotation(),
        DocumentTranscription(),
        DataCollection(),
    )
}
SUPPORTED_TYPES: tuple[str, ...] = tuple(sorted(REGISTRY))


def get_task_type(name: str) -> TaskType:
    try:
        return REGISTRY[name]
    except KeyError:
        raise InvalidRequest(
            f"unsupported task type {name!r}; supported types: {', '.join(SUPPORTED_TYPES)}",
            "type",
        ) from None


__all__ = ["REGISTRY", "SUPPORTED_TYPES", "TaskType", "get_task_type"]
