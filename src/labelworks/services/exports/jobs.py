"""Exports run in the background for the web: a row per job (`export_jobs`) with its progress,
the file written under `<data_dir>/exports/<id>` by a thread of the process that started it.

The request is checked (`open_export`: the tenant's project and batch, a format the type lists)
before the job exists, so a bad one is an ordinary 400/404. Progress is written after each chunk
of tasks, so any server process can answer the page that polls. Each org keeps its last
`KEEP` jobs; older ones and their files are removed when a new one starts. A job whose process
died stays `running`; the page shows its age. The file holds the org's content, so it is sealed
under the org's data key like media (`db/media_seal.py`) as it is written and opened as it is
downloaded; `org delete` removes it (and its key with the org's).
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from labelworks.db import media_seal
from labelworks.db.database import Database
from labelworks.db.tables import ExportJob
from labelworks.db.types import utcnow
from labelworks.errors import NotFound
from labelworks.services.exports import FORMATS, open_export, stream
from labelworks.services.exports.stream import Export
from labelworks.services.scope import Principal, of_org

log = logging.getLogger(__name__)
KEEP = 20
RUNNING, DONE, FAILED = "running", "done", "failed"


def export_dir(db: Database) -> Path:
    return db.settings.data_dir / "exports"


def job_file(db: Database, job: ExportJob) -> Path:
    return export_dir(db) / job.id


def download_name(job: ExportJob) -> str:
    stem = job.project if job.batch is None else f"{job.project}-{job.batch}"
    return f"{stem}-{job.format}{FORMATS[job.format].extension}"


def start(
    db: Database, principal: Principal, project: str, fmt: str, batch: str | None = None
) -> str:
    """Check the request, record the job and start writing the file; -> the job id."""
    with db.read() as session:
        export = open_export(session, db, principal, project, fmt, batch)
    total = export.count()
    job_id = secrets.token_hex(16)
    with db.write() as session:
        session.add(
            ExportJob(
                id=job_id,
                org_id=principal.org_id,
                project=project,
                batch=batch,
                format=fmt,
                status=RUNNING,
                done=0,
                total=total,
            )
        )
        old = _beyond_kept(session, principal)
    for stale in old:
        (export_dir(db) / stale).unlink(missing_ok=True)
    threading.Thread(
        target=_run, args=(db, job_id, export), name=f"export-{job_id[:8]}", daemon=True
    ).start()
    return job_id


def _beyond_kept(session: Session, principal: Principal) -> list[str]:
    """Drop the org's finished jobs beyond the newest KEEP; -> their ids (files to remove)."""
    ids = list(
        session.scalars(
            select(ExportJob.id)
            .where(of_org(ExportJob, principal), ExportJob.status != RUNNING)
            .order_by(ExportJob.created_at.desc(), ExportJob.id)
            .offset(KEEP)
        )
    )
    if ids:
        session.execute(delete(ExportJob).where(ExportJob.id.in_(ids)))
    return ids


def _run(db: Database, job_id: str, export: Export) -> None:
    target = export_dir(db) / job_id
    partial = target.with_name(job_id + ".partial")

    def advance(n: int) -> None:
        with db.write() as session:
            session.execute(
                update(ExportJob).where(ExportJob.id == job_id).values(done=ExportJob.done + n)
            )

    export.progress = advance
    try:
        with db.write() as session:
            key_id, aead = db.keyring.writing_key(session.connection(), export.principal.org_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        size = 0
        with partial.open("wb") as out:
            sealer = media_seal.Sealer(out, key_id, aead)
            for piece in stream(export):
                sealer.write(piece)
                size += len(piece)
            sealer.close()
        partial.replace(target)
        values = {"status": DONE, "size": size}
    except Exception as exc:  # the job records why; the page shows it
        log.exception("export job %s failed", job_id)
        partial.unlink(missing_ok=True)
        values = {"status": FAILED, "error": str(exc)[:500] or type(exc).__name__}
    with db.write() as session:
        session.execute(
            update(ExportJob).where(ExportJob.id == job_id).values(finished_at=utcnow(), **values)
        )


def read_file(db: Database, job: ExportJob) -> Iterator[bytes]:
    """The finished job's file, opened chunk by chunk (KeyError_ once the org's key is gone)."""
    with job_file(db, job).open("rb") as f:
        yield from media_seal.open_stream(f, db.keyring.aead)


def org_files(session: Session, org_id: int) -> list[Path]:
    """Every export file the org may have on disk (finished or partial): for `org delete`."""
    ids = session.scalars(select(ExportJob.id).where(ExportJob.org_id == org_id))
    return [p for i in ids for p in (Path(i), Path(i + ".partial"))]


def get_job(session: Session, principal: Principal, job_id: str) -> ExportJob:
    """One of the org's jobs; another org's is not found, like a missing one."""
    job = session.scalar(
        select(ExportJob).where(of_org(ExportJob, principal), ExportJob.id == job_id)
    )
    if job is None:
        raise NotFound(f"no export job {job_id!r}", "job")
    return job


def list_jobs(session: Session, principal: Principal) -> list[ExportJob]:
    return list(
        session.scalars(
            select(ExportJob)
            .where(of_org(ExportJob, principal))
            .order_by(ExportJob.created_at.desc(), ExportJob.id)
            .limit(KEEP)
        )
    )


def job_json(job: ExportJob) -> dict[str, object]:
    return {
        "id": job.id,
        "project": job.project,
        "batch": job.batch,
        "format": job.format,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "size": job.size,
        "error": job.error,
        "download": f"/org/exports/{job.id}/file" if job.status == DONE else None,
    }
