"""Files: uploads and URL imports, stored sealed per org under the data dir.

Bytes live in `<data_dir>/media/<org_id>/<name>`, `name` the keyed hash (the org's lookup key) of
their sha256, so an org's identical uploads share one file and orgs share nothing. The file is
sealed while it streams in (`db/media_seal.py`: AES-256-GCM in 1 MiB chunks under the org's
current data key, named in its header), so no plaintext touches the disk; serving decrypts.
Files stored before encryption (`media/ab/<sha256>`, plaintext) are still served.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from labelworks.db import media_seal
from labelworks.db.database import Database
from labelworks.db.tables import File, FileLink
from labelworks.errors import InvalidRequest, PayloadTooLarge
from labelworks.services import trail
from labelworks.services.ids import new_object_id
from labelworks.services.media_types import HEAD_BYTES, fits, sniff
from labelworks.services.scope import Principal, found, owned
from labelworks.services.urls import pinned_request, resolve_public

CHUNK = 1 << 20


class MediaStore:
    """One org's sealed bytes under `<data_dir>/media/<org_id>/`; written atomically, fsynced."""

    def __init__(self, db: Database, org_id: int) -> None:
        self.db, self.org_id = db, org_id
        self.root = db.settings.media_dir / str(org_id)

    def name(self, sha256: str) -> str | None:
        return self.db.keyring.lookup(None, self.org_id, sha256, create=False)

    def path(self, sha256: str) -> Path:
        name = self.name(sha256)
        legacy = self.db.settings.media_dir / sha256[:2] / sha256
        if (name is None or not (self.root / name).exists()) and legacy.exists():
            return legacy
        return self.root / (name or "missing")

    def read(self, sha256: str) -> Iterator[bytes]:
        """The plaintext, chunk by chunk (legacy plaintext files as they are)."""
        path = self.path(sha256)
        with path.open("rb") as f:
            if path.parent == self.root:
                yield from media_seal.open_stream(f, self.db.keyring.aead)
            else:
                while chunk := f.read(CHUNK):
                    yield chunk

    def read_range(self, sha256: str, start: int, end: int) -> Iterator[bytes]:
        """Plaintext bytes `start`..`end` (inclusive)."""
        path = self.path(sha256)
        with path.open("rb") as f:
            if path.parent == self.root:
                yield from media_seal.open_range(f, self.db.keyring.aead, start, end)
                return
            f.seek(start)
            left = end - start + 1
            while left > 0 and (chunk := f.read(min(CHUNK, left))):
                left -= len(chunk)
                yield chunk

    def put(self, chunks: Iterable[bytes], max_bytes: int) -> tuple[str, int, bytes]:
        """-> (sha256, size, the first bytes: what the content type is sniffed from)."""
        with self.db.write() as session:  # the org's keys (made on first use)
            conn = session.connection()
            key_id, aead = self.db.keyring.writing_key(conn, self.org_id)
            self.db.keyring.lookup(conn, self.org_id, "")
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size, head = hashlib.sha256(), 0, b""
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                sealer = media_seal.Sealer(out, key_id, aead)
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise PayloadTooLarge(f"file is larger than {max_bytes} bytes", "file")
                    digest.update(chunk)
                    if len(head) < HEAD_BYTES:
                        head += chunk[: HEAD_BYTES - len(head)]
                    sealer.write(chunk)
                sealer.close()
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            os.replace(tmp, self.root / (self.name(sha) or "missing"))
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
    db: Database,
    principal: Principal,
    stream: BinaryIO,
    filename: str | None,
    content_type: str | None = None,
) -> Blob:
    """Store the bytes; the declared `content_type` is ignored: the type is sniffed from them."""
    sha, size, head = MediaStore(db, principal.org_id).put(
        _read_chunks(stream), db.settings.max_upload_bytes
    )
    return Blob(sha, size, _clean_filename(filename), sniff(head))


def _clean_filename(name: str | None) -> str | None:
    """A name the databases can store and a Content-Disposition header can carry."""
    if not name:
        return None
    name = "".join(c for c in name if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF)
    return name[:400] or None


def fetch_url(db: Database, principal: Principal, url: Any) -> Blob:
    import httpx

    settings = db.settings
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
            sha, size, head = MediaStore(db, principal.org_id).put(
                response.iter_bytes(CHUNK), settings.max_upload_bytes
            )
    except httpx.HTTPError as exc:
        raise InvalidRequest(f"could not fetch it: {type(exc).__name__}", "file_url") from None
    name = url.rsplit("/", 1)[-1].split("?", 1)[0] or None
    return Blob(sha, size, _clean_filename(name), sniff(head), url)


def record_file(
    session: Session, principal: Principal, blob: Blob, metadata: dict[str, Any] | None = None
) -> File:
    file = record_org_file(session, principal.org_id, blob, metadata)
    trail.record(session, principal, "file.create", [file.id])
    return file


def record_org_file(
    session: Session, org_id: int, blob: Blob, metadata: dict[str, Any] | None = None
) -> File:
    """Record stored bytes as a file of `org_id` (a customer's upload, or an annotator's answer
    to a task of that org)."""
    file = File(
        id=new_object_id(),
        org_id=org_id,
        sha256=blob.sha256,
        size=blob.size,
        content_type=blob.content_type[:200],
        filename=blob.filename,
        source_url=blob.source_url,
        metadata_=metadata or {},
    )
    session.add(file)
    session.flush()
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


FILE_IDS = re.compile(r"/v1/files/([0-9A-Za-z]+)/content")


def link_files(session: Session, org_id: int, used: Iterable[tuple[int, Any]]) -> None:
    """Note which of the org's uploaded files tasks use, per project: `used` is (project id,
    the task's plaintext params) pairs. Read by `scope.file_in_key_projects`."""
    wanted = {
        (project_id, file_id)
        for project_id, params in used
        for file_id in FILE_IDS.findall(json.dumps(params, ensure_ascii=False))
    }
    if not wanted:
        return
    file_ids = {f for _, f in wanted}
    ours = set(session.scalars(select(File.id).where(File.org_id == org_id, File.id.in_(file_ids))))
    rows = [{"project_id": p, "file_id": f} for p, f in sorted(wanted) if f in ours]
    if rows:
        # Two creates racing to link the same file: the second one's row is already there.
        upsert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(upsert(FileLink).on_conflict_do_nothing(), rows)


def file_bytes(db: Database, file: File) -> Iterator[bytes]:
    return MediaStore(db, file.org_id).read(file.sha256)


def file_range(db: Database, file: File, start: int, end: int) -> Iterator[bytes]:
    return MediaStore(db, file.org_id).read_range(file.sha256, start, end)
