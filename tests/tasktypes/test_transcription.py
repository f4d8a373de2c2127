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
