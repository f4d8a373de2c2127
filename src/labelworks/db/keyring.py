"""Per-org keys: data keys (AES-256-GCM) and a lookup key (HMAC) per org, wrapped by the master key.

Rows live in `org_keys`; the master key comes from `LABELWORKS_MASTER_KEY` or a generated key file
(mode 0600) in the data dir. Unwrapped keys are cached per process (bounded); every process
re-reads the `key_generation` instance secret at most once a second at the start of a unit of work
and drops its cache when it changed (rotation, destruction, master rewrap), so a destroyed key
stops working everywhere within a second, and at once in the process that destroyed it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import OrderedDict
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, Engine, event, text

from labelworks.db import envelope
from labelworks.settings import Settings

GENERATION = "key_generation"
CACHE_SIZE = 4096
CHECK_SECONDS = 1.0


class KeyError_(Exception):
    """Content that cannot be opened: destroyed key (crypto-shredded), unknown or wrong key."""


class KeyDestroyed(KeyError_):
    pass


def load_master_key(settings: Settings) -> bytes:
    """The master key: from the setting, else the key file (generated once, mode 0600)."""
    if settings.master_key:
        return _decode_master(settings.master_key, "LABELWORKS_MASTER_KEY")
    path = settings.data_dir / "master.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first
        else:
            with os.fdopen(fd, "w") as out:
                out.write(base64.b64encode(os.urandom(32)).decode() + "\n")
                out.flush()
                os.fsync(out.fileno())
    return _decode_master(path.read_text().strip(), str(path))


def write_master_key_file(path: Path, key: bytes) -> None:
    tmp = path.with_suffix(".new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(base64.b64encode(key).decode() + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def _decode_master(value: str, where: str) -> bytes:
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ValueError(f"{where}: the master key must be 32 bytes in base64")
    return key


def wrap(master: bytes, key_id: int, key: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(master).encrypt(nonce, key, _wrap_aad(key_id))


def unwrap(master: bytes, key_id: int, wrapped: bytes) -> bytes:
    return AESGCM(master).decrypt(wrapped[:12], wrapped[12:], _wrap_aad(key_id))


def _wrap_aad(key_id: int) -> bytes:
    return b"labelworks-org-key" + key_id.to_bytes(8, "big")


class KeyRing:
    """Keys of one database, for one process."""

    def __init__(self, engine: Engine, master: bytes, enabled: bool = True) -> None:
        self.engine = engine
        self.master = master
        # Off only for the overhead benchmark: content is written as plain JSON.
        self.enabled = enabled
        self._lock = threading.Lock()
        self._aeads: OrderedDict[int, AESGCM] = OrderedDict()
        self._writing: dict[int, tuple[int, AESGCM]] = {}  # org -> its current data key
        self._lookups: dict[int, bytes] = {}  # org -> its lookup (HMAC) key
        self._generation: str | None = None
        self._checked = 0.0
        event.listen(engine, "rollback", self._on_rollback)
        event.listen(engine, "commit", self._on_commit)

    # --- cache freshness ----------------------------------------------------------------------

    def due(self) -> bool:
        return time.monotonic() - self._checked >= CHECK_SECONDS

    def refresh(self, conn: Connection) -> None:
        """Drop the cache if any process rotated or destroyed a key since the last look."""
        now = time.monotonic()
        value = conn.execute(
            text("SELECT value FROM instance_secrets WHERE name = :n"), {"n": GENERATION}
        ).scalar()
        self._checked = now
        if value != self._generation:
            self.forget()
            self._generation = value

    def forget(self) -> None:
        with self._lock:
            self._aeads.clear()
            self._writing.clear()
            self._lookups.clear()
        self._checked = 0.0

    def bump(self, conn: Connection) -> None:
        """Tell every process to drop its cache (called in the transaction that changes keys)."""
        token = secrets.token_hex(8)
        params = {"n": GENERATION, "v": token}
        if not conn.execute(
            text("UPDATE instance_secrets SET value = :v WHERE name = :n"), params
        ).rowcount:
            conn.execute(text("INSERT INTO instance_secrets (name, value) VALUES (:n, :v)"), params)
        self.forget()

    def _on_rollback(self, conn: Connection) -> None:
        # Keys made in a rolled-back transaction do not exist: never write with them.
        for org_id in conn.info.pop("labelworks_new_keys", ()):
            with self._lock:
                self._writing.pop(org_id, None)
                self._lookups.pop(org_id, None)

    def _on_commit(self, conn: Connection) -> None:
        conn.info.pop("labelworks_new_keys", None)

    # --- reading ------------------------------------------------------------------------------

    def open(self, value: str) -> bytes | None:
        """The plaintext of a sealed value; None when `value` is not sealed (older plaintext)."""
        parsed = envelope.parse(value)
        if parsed is None:
            return None
        key_id, blob = parsed
        aead = self._aead(key_id)
        try:
            return envelope.open_blob(aead, blob)
        except InvalidTag:
            raise KeyError_(
                f"content does not open with key {key_id}: tampered, or sealed for another org"
            ) from None

    def aead(self, key_id: int) -> AESGCM:
        """The cipher of a key named by ciphertext (cached; destroyed keys raise)."""
        return self._aead(key_id)

    def _aead(self, key_id: int) -> AESGCM:
        aead = self._aeads.get(key_id)  # the hot path: no lock, eviction is first-in first-out
        if aead is not None:
            return aead
        # A committed key (one made in the current transaction is cached when made).
        with self.engine.connect() as conn:
            row = conn.execute(
                text("SELECT wrapped_key FROM org_keys WHERE id = :id"), {"id": key_id}
            ).first()
        if row is None:
            raise KeyError_(f"unknown key {key_id}")
        if row[0] is None:
            raise KeyDestroyed(f"key {key_id} was destroyed: this content is unreadable")
        return self._remember(key_id, unwrap(self.master, key_id, bytes(row[0])))

    def _remember(self, key_id: int, key: bytes) -> AESGCM:
        aead = AESGCM(key)
        with self._lock:
            self._aeads[key_id] = aead
            while len(self._aeads) > CACHE_SIZE:
                self._aeads.popitem(last=False)
        return aead

    # --- writing ------------------------------------------------------------------------------

    def seal(self, conn: Connection, org_id: int, plaintext: bytes) -> str:
        key_id, aead = self.writing_key(conn, org_id)
        return envelope.seal(key_id, aead, plaintext)

    def writing_key(self, conn: Connection, org_id: int) -> tuple[int, AESGCM]:
        found = self._writing.get(org_id)
        if found is not None:
            return found
        row = conn.execute(
            text(
                "SELECT id, wrapped_key FROM org_keys WHERE org_id = :o AND purpose = 'data'"
                " AND retired_at IS NULL AND wrapped_key IS NOT NULL"
                " ORDER BY created_at DESC, id LIMIT 1"
            ),
            {"o": org_id},
        ).first()
        if row is not None:
            key_id = int(row[0])
            aead = self._remember(key_id, unwrap(self.master, key_id, bytes(row[1])))
        else:
            key_id, key = self.create_key(conn, org_id, "data")
            aead = self._remember(key_id, key)
        with self._lock:
            if len(self._writing) > CACHE_SIZE:
                self._writing.clear()
            self._writing[org_id] = (key_id, aead)
        return key_id, aead

    def lookup(
        self, conn: Connection | None, org_id: int, value: str, create: bool = True
    ) -> str | None:
        """The keyed hash that stands for `value` in an index (unique_id, tags); None when the
        org has no lookup key yet and `create` is false (then nothing can match). Without a
        connection (outside a unit of work) committed keys are read and none is made."""
        if conn is None:
            if org_id not in self._lookups:
                with self.engine.connect() as own:
                    return self.lookup(own, org_id, value, create=False)
            create = False
        key = self._lookup_key(conn, org_id, create)
        if key is None:
            return None
        return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()

    def _lookup_key(self, conn: Connection | None, org_id: int, create: bool) -> bytes | None:
        key = self._lookups.get(org_id)
        if key is not None or conn is None:
            return key
        row = conn.execute(
            text(
                "SELECT id, wrapped_key FROM org_keys WHERE org_id = :o AND purpose = 'lookup'"
                " AND wrapped_key IS NOT NULL ORDER BY created_at, id LIMIT 1"
            ),
            {"o": org_id},
        ).first()
        if row is not None:
            key = unwrap(self.master, int(row[0]), bytes(row[1]))
        elif create:
            key = self.create_key(conn, org_id, "lookup")[1]
        else:
            return None
        with self._lock:
            if len(self._lookups) > CACHE_SIZE:
                self._lookups.clear()
            self._lookups[org_id] = key
        return key

    def create_key(self, conn: Connection, org_id: int, purpose: str) -> tuple[int, bytes]:
        key_id, key = secrets.randbits(62) + 1, os.urandom(32)
        conn.execute(
            text(
                "INSERT INTO org_keys (id, org_id, purpose, wrapped_key, created_at)"
                " VALUES (:id, :o, :p, :w, :c)"
            ),
            {
                "id": key_id,
                "o": org_id,
                "p": purpose,
                "w": wrap(self.master, key_id, key),
                "c": _now_text(conn),
            },
        )
        conn.info.setdefault("labelworks_new_keys", []).append(org_id)
        return key_id, key


def _now_text(conn: Connection) -> Any:
    from labelworks.db.types import utcnow

    now = utcnow()
    # SQLite: SQLAlchemy's DateTime text (naive UTC), as `UTCDateTime` stores it.
    return now.strftime("%Y-%m-%d %H:%M:%S.%f") if conn.dialect.name == "sqlite" else now


# The key ring of the unit of work in progress (set by `Database.read()/write()`); the column
# types read through it. The last opened ring is the fallback for code outside a unit of work.
current: ContextVar[KeyRing | None] = ContextVar("labelworks_keyring", default=None)
_fallback: list[KeyRing] = []


def install(ring: KeyRing) -> None:
    _fallback[:] = [ring]


def active() -> KeyRing | None:
    ring = current.get()
    if ring is None and _fallback:
        return _fallback[0]
    return ring
