from __future__ import annotations

from labelworks.tasktypes import get_task_type
from tests.tasktypes._helpers import respond

PARAMS = {
    "attachments": [{"type": "text", "content": "Explain DNS to a child"}],
    "fields": [{"type": "text", "field_id": "answer", "title": "Your answer"}],
}


def test_sft_demonstration_round_trip():
    out = respond("textcollection", PARAMS, {"fields": {"answer": "DNS is a phone book."}})
    assert out == {"fields": {"answer": "DNS is a phone book."}}


def test_attachments_may_be_omitted():
    stored = get_task_type("textcollection").validate_params({"fields": PARAMS["fields"]})
    assert stored["attachments"] == []
