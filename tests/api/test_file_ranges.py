"""Byte ranges of sealed media: a player's seek gets exactly the bytes it asks for (206), across
the 1 MiB chunks the media are sealed in."""

from __future__ import annotations

import os

CHUNK = 1 << 20


def test_ranges_of_a_sealed_upload(inproc_api):
    data = os.urandom(2 * CHUNK + 12345)
    up = inproc_api.post("/files/upload", files={"file": ("a.bin", data, "audio/wav")})
    assert up.status_code == 200, up.text
    url = f"/files/{up.json()['id']}/content"

    whole = inproc_api.get(url)
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["accept-ranges"] == "bytes"
    for header, start, end in [
        (f"bytes={CHUNK - 5}-{CHUNK + 5}", CHUNK - 5, CHUNK + 5),  # across a chunk boundary
        ("bytes=0-0", 0, 0),
        (f"bytes={2 * CHUNK}-", 2 * CHUNK, len(data) - 1),  # into the short last chunk
        ("bytes=-100", len(data) - 100, len(data) - 1),
        (f"bytes=10-{10 * len(data)}", 10, len(data) - 1),  # an end past the file is clipped
    ]:
        r = inproc_api.get(url, headers={"Range": header})
        assert r.status_code == 206, (header, r.status_code)
        assert r.content == data[start : end + 1], header
        assert r.headers["content-range"] == f"bytes {start}-{end}/{len(data)}", header
        assert r.headers["content-length"] == str(end - start + 1), header
    past = inproc_api.get(url, headers={"Range": f"bytes={len(data)}-"})
    assert past.status_code == 416 and past.headers["content-range"] == f"bytes */{len(data)}"
    junk = inproc_api.get(url, headers={"Range": "bytes=5-1, 7-9"})
    assert junk.status_code == 200 and junk.content == data  # not a single range: all of it
