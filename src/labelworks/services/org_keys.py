"""Key management: rotate an org's data key, re-encrypt its rows, rotate the master key, and
crypto-shred an org (`labelworks keys …`, `labelworks org delete`). Keys themselves: db/keyring.py."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, attributes

from labelworks.db import keyring, sealing
from labelworks.db.database import Database
from labelworks.db.tables import (
    Assignment,
    Batch,
    File,
    Org,
    OrgKey,
    OutboxMessage,
    Project,
    ProjectParamVersion,
    ReviewReason,
    Task,
    TaskTag,
    WorkDraft,
)
from labelworks.db.types import utcnow
from labelworks.services.exports import jobs
from labelworks.services.files import MediaStore
from labelworks.services.orgs import get_org

CHUNK = 500


def rotate(db: Database, org_name: str) -> int:
    """A new data key seals the org's new writes; the retired ones still open older rows."""
    with db.write() as session:
        org = get_org(session, org_name)
        conn = session.connection()
        session.execute(
            update(OrgKey)
            .where(
                OrgKey.org_id == org.id,
                OrgKey.purpose == "data",
                OrgKey.retired_at.is_(None),
                OrgKey.wrapped_key.is_not(None),
            )
            .values(retired_at=utcnow())
        )
        key_id, _ = db.keyring.create_key(conn, org.id, "data")
        db.keyring.bump(conn)
    return key_id


def _org_rows(model: Any, org_id: int) -> Any:
    if model is ProjectParamVersion:
        return model.project_id.in_(select(Project.id).where(Project.org_id == org_id))
    if model in (WorkDraft, ReviewReason):
        return model.assignment_id.in_(select(Assignment.id).where(Assignment.org_id == org_id))
    return model.org_id == org_id


SEALED = [Project, ProjectParamVersion, Batch, Task, File, Assignment, OutboxMessage, WorkDraft,
          ReviewReason]  # fmt: skip


def reencrypt(db: Database, org_name: str, progress: Callable[[str, int], None]) -> int:
    """Seal every row of the org again under its current data key (older keys, and plaintext
    from before encryption, included), refill the keyed hashes, and re-seal its media. One
    transaction per chunk of rows, so the server keeps running."""
    with db.read() as session:
        org_id = get_org(session, org_name).id
    done = 0
    for model in SEALED:
        keys = [k for k, _ in sealing._sealed_columns(model)]
        pk = model.__mapper__.primary_key[0]
        last: Any = None
        while True:
            with db.write() as session:
                stmt = select(model).where(_org_rows(model, org_id)).order_by(pk).limit(CHUNK)
                if last is not None:
                    stmt = stmt.where(pk > last)
                rows = session.scalars(stmt).all()
                if not rows:
                    break
                for row in rows:
                    for key in keys:
                        attributes.flag_modified(row, key)
                session.flush()
                if model is Task:
                    _rehash_tags(session, org_id, rows)
                last = getattr(rows[-1], str(pk.key))
            done += len(rows)
            progress(model.__tablename__, len(rows))
    _reseal_media(db, org_id, progress)
    return done


def _rehash_tags(session: Session, org_id: int, tasks: Any) -> None:
    from labelworks.services.tasks import tag_rows

    tagged = [t for t in tasks if t.tags]
    if not tagged:
        return
    session.execute(delete(TaskTag).where(TaskTag.task_seq.in_([t.seq for t in tagged])))
    for task in tagged:
        session.add_all(tag_rows(session, org_id, task.seq, task.tags))
    session.flush()


def _reseal_media(db: Database, org_id: int, progress: Callable[[str, int], None]) -> None:
    with db.read() as session:
        shas = session.scalars(select(File.sha256).where(File.org_id == org_id).distinct()).all()
    store = MediaStore(db, org_id)
    for sha in shas:
        try:
            store.put(list(store.read(sha)), max_bytes=1 << 62)
        except FileNotFoundError:
            continue
        progress("media", 1)


def rotate_master(db: Database, new_master: bytes) -> int:
    """Rewrap every live org key under a new master key (one transaction). Other processes must
    be restarted with the new key: they cannot unwrap keys once they notice the change."""
    old = db.keyring.master
    with db.write() as session:
        rows = session.execute(
            select(OrgKey.id, OrgKey.wrapped_key).where(OrgKey.wrapped_key.is_not(None))
        ).all()
        for key_id, wrapped in rows:
            key = keyring.unwrap(old, key_id, bytes(wrapped or b""))
            session.execute(
                update(OrgKey)
                .where(OrgKey.id == key_id)
                .values(wrapped_key=keyring.wrap(new_master, key_id, key))
            )
        db.keyring.bump(session.connection())
    db.keyring.master = new_master
    return len(rows)


@dataclass(frozen=True)
class Shredded:
    org_id: int
    tasks: int
    keys: int


def delete_org(db: Database, org_name: str) -> Shredded:
    """Destroy the org's keys and delete its rows and media. Its ciphertext left anywhere (free
    pages, WAL, backups) names keys that no longer exist: unreadable. Its API keys go with the
    org (other processes' one-second key cache lets a request through that finds nothing)."""
    with db.write() as session:
        org = get_org(session, org_name)
        org_id = org.id
        exported = jobs.org_files(session, org_id)
        tasks = session.scalar(select(func.count()).select_from(Task).where(Task.org_id == org_id))
        tasks = tasks or 0
        live = (OrgKey.org_id == org_id, OrgKey.wrapped_key.is_not(None))
        keys = session.scalar(select(func.count()).select_from(OrgKey).where(*live)) or 0
        session.execute(update(OrgKey).where(*live).values(wrapped_key=None, destroyed_at=utcnow()))
        session.execute(delete(Org).where(Org.id == org_id))  # rows go by ON DELETE CASCADE
        db.keyring.bump(session.connection())
    shutil.rmtree(db.settings.media_dir / str(org_id), ignore_errors=True)
    for name in exported:  # sealed under the destroyed key already; no need to keep them
        (jobs.export_dir(db) / name).unlink(missing_ok=True)
    return Shredded(org_id, tasks, keys)
