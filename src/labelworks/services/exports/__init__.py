"""Exports: a project's tasks in the data formats other tools load, streamed in constant memory.

`open_export()` checks the request (project and batch of the principal, a format the project's task
type supports) before anything is streamed, so errors are ordinary 400/404s; `stream()` then
yields the file's bytes chunk by chunk. Per-type conversion lives in the task type modules
(`tasktypes/*.py`: `coco_objects`, `boxes`, `bio_tokens`, `label_studio_task`, `sft_messages`,
`dpo_pairs`, `hf_row`...); the modules here only write file formats.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from labelworks.db.database import Database
from labelworks.errors import InvalidRequest
from labelworks.services import trail
from labelworks.services.batches import get_batch
from labelworks.services.exports import (
    coco,
    conll,
    csv_,
    dpo,
    hf,
    jsonl,
    label_studio,
    masks,
    sft,
    voc,
    yolo,
)
from labelworks.services.exports.stream import Export
from labelworks.services.projects import get_project
from labelworks.services.scope import Principal
from labelworks.tasktypes import get_task_type


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extension: str
    write: Callable[[Export], Iterator[bytes]]


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("jsonl", "application/x-ndjson", ".jsonl", jsonl.write),
        Format("csv", "text/csv; charset=utf-8", ".csv", csv_.write),
        Format("coco", "application/json", ".json", coco.write),
        Format("yolo", "application/zip", ".zip", yolo.write),
        Format("voc", "application/zip", ".zip", voc.write),
        Format("hf", "application/vnd.apache.parquet", ".parquet", hf.write),
        Format("label-studio", "application/json", ".json", label_studio.write),
        Format("conll", "text/plain; charset=utf-8", ".conll", conll.write),
        Format("sft", "application/x-ndjson", ".jsonl", sft.write),
        Format("dpo", "application/x-ndjson", ".jsonl", dpo.write),
        Format("masks", "application/zip", ".zip", masks.write),
    )
}


def open_export(
    session: Session,
    db: Database,
    principal: Principal,
    project: str,
    fmt: str,
    batch: str | None = None,
    include_pending: bool = False,
) -> Export:
    """Check an export request; NotFound for another org's project or batch, 400 otherwise."""
    project_row = get_project(session, principal, project)
    supported = get_task_type(project_row.type).export_formats
    if fmt not in supported:
        raise InvalidRequest(
            f"{fmt!r} is not an export format for {project_row.type} projects; "
            f"supported formats: {', '.join(supported)}",
            "format",
        )
    if include_pending and fmt != "jsonl":
        raise InvalidRequest(
            "only the jsonl format exports tasks that are not completed", "include_pending"
        )
    batch_id = None
    if batch is not None:
        batch_row = get_batch(session, principal, batch)
        if batch_row.project_id != project_row.id:
            raise InvalidRequest(f"batch {batch!r} belongs to another project", "batch")
        batch_id = batch_row.id
    # Who runs it: the key or user on /v1; the CLI (a system principal) is the `export` actor.
    who = principal if principal.kind != "system" else trail.TrailActor("export")
    objects = [project] if batch is None else [project, batch]
    trail.record(
        session, who, "export.run", objects, org_id=principal.org_id, object_type="project",
        reason=f"format {fmt}",
    )  # fmt: skip
    return Export(
        db=db,
        principal=principal,
        project_id=project_row.id,
        project_name=None if project_row.is_default else project_row.name,
        task_type=project_row.type,
        format=fmt,
        batch_id=batch_id,
        include_pending=include_pending,
        project_params=dict(project_row.params),
    )


def stream(export: Export) -> Iterator[bytes]:
    """The export file's bytes, in pieces of about one chunk of tasks each."""
    for piece in FORMATS[export.format].write(export):
        if piece:
            yield piece


__all__ = ["FORMATS", "Export", "Format", "open_export", "stream"]
