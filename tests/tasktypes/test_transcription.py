from __future__ import annotations

from tests.tasktypes._helpers import params_error, respond, response_error

PARAMS = {
    "attachments": [{"type": "audio", "content": "https://e.com/clip.mp3"}],
    "fields": [{"type": "text", "field_id": "text", "title": "Transcript"}],
}


def test_transcription_round_trip():
    out = respond("transcription", PARAMS, {"fields": {"text": "hello world"}})
    assert out == {"fields": {"text": "hello world"}}


def test_something_to_transcribe_is_required():
    assert (
        params_error("transcription", {"fields": PARAMS["fields"]}).error
        == "attachments: Field required"
    )
    assert (
        params_error("transcription", {**PARAMS, "attachments": []}).error
        == "attachments: must not be empty"
    )


def test_missing_transcript_is_rejected():
    assert (
        response_error("transcription", PARAMS, {"fields": {}}).error
        == "response.fields.text: is required"
    )


# --- Scale's older shape: attachment, fields as an object, repeatable_fields --------------------

LEGACY = {
    "attachment": "https://e.com/receipt.png",
    "attachment_type": "image",
    "fields": {"shop": {"description": "Shop name", "required": True}, "total": "The total"},
    "repeatable_fields": {"item": "Item", "price": "Price"},
}


def test_older_shape_round_trip():
    out = respond(
        "transcription",
        LEGACY,
        {"fields": {"shop": "Cafe"}, "repeatable_fields": [{"item": "tea", "price": "2"}] * 2},
    )
    assert out == {
        "fields": {"shop": "Cafe"},
        "repeatable_fields": [{"item": "tea", "price": "2"}, {"item": "tea", "price": "2"}],
    }


def test_older_shape_params_are_normalised_and_idempotent():
    from labelworks.tasktypes import get_task_type

    kind = get_task_type("transcription")
    stored = kind.validate_params(LEGACY)
    assert stored["fields"]["total"] == {"description": "The total", "required": False}
    assert kind.validate_params(stored) == stored


def test_older_shape_errors_name_the_field():
    assert (
        response_error("transcription", LEGACY, {"fields": {"total": "3"}}).error
        == "response.fields.shop: is required"
    )
    assert (
        response_error(
            "transcription", LEGACY, {"fields": {"shop": "x"}, "repeatable_fields": [{"qty": "1"}]}
        ).error
        == "response.repeatable_fields.0.qty: unknown field; expected one of ['item', 'price']"
    )
    assert (
        response_error(
            "transcription",
            {**LEGACY, "repeatable_fields": {}},
            {"fields": {"shop": "x"}, "repeatable_fields": [{}]},
        ).error
        == "response.repeatable_fields: the task has no repeatable_fields"
    )
    assert params_error("transcription", {**LEGACY, "fields": {}}).field == "fields"
    assert params_error("transcription", {**LEGACY, "attachment_type": "audio"}).field == (
        "attachment_type"
    )
    assert params_error("transcription", {"fields": {"a": "b"}}).field == "attachment"


def test_older_shape_consensus_and_score():
    from labelworks.tasktypes import get_task_type

    kind = get_task_type("transcription")
    p = kind.validate_params(LEGACY)
    rows = [{"item": "tea", "price": "2"}]
    answers = [
        {"fields": {"shop": "Cafe", "total": "2"}, "repeatable_fields": rows},
        {"fields": {"shop": "cafe", "total": "2"}, "repeatable_fields": rows},
        {"fields": {"shop": "Bar", "total": "3"}, "repeatable_fields": []},
    ]
    answer, _ = kind.consensus(p, answers, [1.0, 1.0, 1.0])
    assert answer == {"fields": {"shop": "Cafe", "total": "2"}, "repeatable_fields": rows}
    assert kind.score(p, answers[2], answer) == 0.0
    assert kind.validate_response(p, kind.placeholder_response(p))
    current = kind.validate_params(PARAMS)
    assert kind.validate_response(current, kind.placeholder_response(current))
