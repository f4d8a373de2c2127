"""Objects as the Scale v1 API shows them: the one place that decides v1 JSON shapes.

Services return domain values (rows, `TaskView`); routes, callback payloads and the JSONL export
turn them into v1 JSON here. As in Scale, a key with no value is absent, not `null`: `present()`
decides that for every object below (a task without tags has no `tags` key either).
"""

from __future__ import annotations

from typing import Any

from labelworks.db.tables import Batch, File, Project, ProjectParamVersion, Task
from labelworks.db.types import iso


def present(fields: dict[str, Any]) -> dict[str, Any]:
    """Drop the keys that have no value (None), as Scale leaves them out."""
    return {k: v for k, v in fields.items() if v is not None}


def task_json(task: Task, project: str | None, batch: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "task_id": task.task_id,
        "type": task.type,
        "status": task.status,
        "project": project,
        "batch": batch,
        "instruction": task.instruction,
        "params": task.params,
        "callback_url": task.callback_url,
        "metadata": task.metadata_,
        "unique_id": task.unique_id,
        "tags": task.tags or None,
        "priority": task.priority,
        "is_test": task.is_test,
        "work_started": task.work_started,
        "created_at": iso(task.created_at),
        "updated_at": iso(task.updated_at),
        "completed_at": iso(task.completed_at),
        "audits": task.audits,
        "customer_review_status": task.customer_review_status,
        "callback_succeeded": task.callback_succeeded,
        "response": task.response,
    }
    if task.kind != "task":
        out["kind"] = task.kind
        out["expected_response"] = task.expected_response
        out["initial_response"] = task.initial_response
    return present(out)


def limited_task_json(task: Task, project: str | None) -> dict[str, Any]:
    return present(
        {
            "task_id": task.task_id,
            "status": task.status,
            "metadata": task.metadata_,
            "project": project,
        }
    )


def batch_json(batch: Batch, project: str) -> dict[str, Any]:
    return present(
        {
            "name": batch.name,
            "project": project,
            "status": batch.status,
            "callback": batch.callback or "",
            "calibration_batch": batch.calibration_batch,
            "self_label_batch": batch.self_label_batch,
            "metadata": batch.metadata_,
            "created_at": iso(batch.created_at),
            "updated_at": iso(batch.updated_at),
        }
    )


def project_json(project: Project, history: list[ProjectParamVersion]) -> dict[str, Any]:
    return present(
        {
            "name": project.name,
            "type": project.type,
            "created_at": iso(project.created_at),
            "studio": project.studio,
            "param_history": [
                {**v.params, "version": v.version, "created_at": iso(v.created_at)} for v in history
            ],
        }
    )


def file_json(file: File, attachment_url: str) -> dict[str, Any]:
    return {
        "id": file.id,
        "attachment_url": attachment_url,
        "mime_type": file.content_type,
        "size": file.size,
        "filename": file.filename,
        "sha256": file.sha256,
        "metadata": file.metadata_,
        "created_at": iso(file.created_at),
    }
