"""Files: uploads and URL imports, stored content-addressed under the data dir."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelworks.db.tables import File
from labelworks.errors import InvalidRequest, PayloadTooLarge
from labelworks.services import trail
from labelworks.services.ids import new_object_id
from labelworks.services.media_types import HEAD_BYTES, fits, sniff
from labelworks.services.scope import Principal, found, owned
from labelworks.services.urls import pinned_request, resolve_public
from labelworks.settings import Settings

CHUNK = 1 << 20


class MediaStore:
    """Bytes by sha256 under `<data_dir>/media/ab/cdef...`; written atomically and fsynced."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, chunks: Iterable[bytes], max_bytes: int) -> tuple[str, int, bytes]:
        """-> (sha256, size, the first bytes: what the content type is sniffed from)."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size, head = hashlib.sha256(), 0, b""
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise PayloadTooLarge(f"file is larger than {max_bytes} bytes", "file")
                    digest.update(chunk)
                    if len(head) < HEAD_BYTES:
                        head += chunk[: HEAD_BYTES - len(head)]
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            target = self.path(sha)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
            return sha, size, head
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


def _read_chunks(stream: BinaryIO) -> Iterable[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


@dataclass(frozen=True)
class Blob:
    """Bytes already in the media store, not yet recorded as a File (kept outside transactions,
    so a slow upload or download never holds the database's write lock)."""

    sha256: str
    size: int
    filename: str | None
    content_type: str
    source_url: str | None = None


def store_upload(
    settings: Settings, stream: BinaryIO, filename: str | None, content_type: str | None = None
) -> Blob:
    """Store the bytes; the declared `content_type` is ignored: the type is sniffed from them."""
    sha, size, head = MediaStore(settings.media_dir).put(
        _read_chunks(stream), settings.max_upload_bytes
    )
    return Blob(sha, size, _clean_filename(filename), sniff(head))


def _clean_filename(name: str | None) -> str | None:
    """A name the databases can store and a Content-Disposition header can carry."""
    if not name:
        return None
    name = "".join(c for c in name if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF)
    return name[:400] or None


def fetch_url(settings: Settings, url: Any) -> Blob:
    import httpx

    if not isinstance(url, str) or not url:
        raise InvalidRequest("is required", "file_url")
    # Resolve and check once, then connect to that address (no second lookup: no rebinding).
    target = resolve_public(url, "file_url", settings.allow_private_urls)
    pinned, host, extensions = pinned_request(target)
    try:
        # No redirects (one could point past the guard); no proxies from the environment.
        with (
            httpx.Client(timeout=30, follow_redirects=False, trust_env=False) as client,
            client.stream("GET", pinned, headers=host, extensions=extensions) as response,
        ):
            if response.status_code != 200:
                raise InvalidRequest(
                    f"fetching it returned HTTP {response.status_code}", "file_url"
                )
            sha, size, head = MediaStore(settings.media_dir).put(
                response.iter_bytes(CHUNK), settings.max_upload_bytes
            )
    except httpx.HTTPError as exc:
        raise InvalidRequest(f"could not fetch it: {type(exc).__name__}", "file_url") from None
    name = url.rsplit("/", 1)[-1].split("?", 1)[0] or None
    return Blob(sha, size, _clean_filename(name), sniff(head), url)


def record_file(
    session: Session, principal: Principal, blob: Blob, metadata: dict[str, Any] | None = None
) -> File:
    file = File(
        id=new_object_id(),
        org_id=principal.org_id,
        sha256=blob.sha256,
        size=blob.size,
        content_type=blob.content_type[:200],
        filename=blob.filename,
        source_url=blob.source_url,
        metadata_=metadata or {},
    )
    session.add(file)
    session.flush()
    trail.record(session, principal, "file.create", [file.id])
    return file


def get_file(
    session: Session, principal: Principal, file_id: str, action: str = "file.get"
) -> File:
    file = found(
        session.scalar(owned(select(File), File, principal).where(File.id == file_id)),
        "file",
        file_id,
    )
    trail.record(session, principal, action, [file.id])
    return file


FILE_URL = re.compile(r"/v1/files/([0-9A-Za-z]+)/content(?:$|\?)")


def check_attachment(
    session: Session, principal: Principal, attachment: Any, attachment_type: Any
) -> None:
    """When a task's `attachment` is a file uploaded to this server (by this org) and the
    create body says what it is (`attachment_type`, explicitly: the type's default is not held
    against older tasks), the sniffed content type must fit it: a PDF is not an image. Other
    attachments (external URLs, inline text) are not checked here."""
    if not isinstance(attachment, str) or not isinstance(attachment_type, str):
        return
    match = FILE_URL.search(attachment)
    if match is None:
        return
    content_type = session.scalar(
        owned(select(File.content_type), File, principal).where(File.id == match.group(1))
    )
    if content_type is not None and not fits(content_type, attachment_type):
        raise InvalidRequest(
            f"is {attachment_type!r} but the uploaded file is {content_type.split(';')[0]}",
            "attachment_type",
        )


def file_path(settings: Settings, file: File) -> Path:
    return MediaStore(settings.media_dir).path(file.sha256)
