"""textcollection: free-text answers to a list of fields (SFT demonstrations, rewrites, Q&A)."""

from __future__ import annotations

from labelworks.tasktypes.fields import FieldCollection


class TextCollection(FieldCollection):
    """Params `{attachments?, fields}`; response `{"fields": {field_id: value}}`."""

    name = "textcollection"
