"""transcription: the textcollection shape, but there is always something to transcribe."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from labelworks.tasktypes.base import non_empty
from labelworks.tasktypes.fields import Attachment, FieldCollection, FieldCollectionParams


class TranscriptionParams(FieldCollectionParams):
    attachments: Annotated[list[Attachment], AfterValidator(non_empty)]


class Transcription(FieldCollection):
    """Params `{attachments (non-empty), fields}`; response `{"fields": {field_id: value}}`."""

    name = "transcription"
    params_model = TranscriptionParams
