"""Task creation and the per-task write operations of the v1 API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from labelworks.db.sealing import lookup_hash
from labelworks.db.tables import Batch, Project, Task, TaskTag
from labelworks.db.types import utcnow
from labelworks.errors import Conflict, InvalidRequest
from labelworks.services import lifecycle, trail
from labelworks.services.batches import get_batch
from labelworks.services.files import check_attachment, link_files
from labelworks.services.ids import new_object_id
from labelworks.services.lifecycle import Actor, initial_slots
from labelworks.services.project_settings import COMMON_DEFAULTS, project_settings, split_params
from labelworks.services.projects import SHOWN_NAME, default_project, get_project
from labelworks.services.scope import Principal, found, owned
from labelworks.services.task_fields import clean_common
from labelworks.tasktypes import TaskType, get_task_type

DEFAULT_BATCH_RANK = 1_000_000

# Keys of a create body that are task fields, not type params.
COMMON_KEYS = (
    "project",
    "batch",
    "instruction",
    "callback_url",
    "metadata",
    "unique_id",
    "tags",
    "priority",
)


class TaskView(NamedTuple):
    """A task with the names shown beside it: what task services return (the API layer shapes
    it as JSON in `api/serialize.py`)."""

    task: Task
    project: str | None  # None: the task was created without a project (its default project)
    batch: str | None


@dataclass
class Placement:
    """Where new tasks go (project, batch) and what each one inherits: the one place that turns
    a create body into a `tasks` row, for the API and for bulk imports alike."""

    principal: Principal
    project: Project
    batch: Batch | None
    kind: TaskType
    common_defaults: dict[str, Any]
    type_defaults: dict[str, Any]
    overlap: int

    @classmethod
    def load(
        cls, session: Session, principal: Principal, task_type: str, body: dict[str, Any]
    ) -> Placement:
        project, batch = _placement(session, principal, task_type, body)
        _, defaults = split_params(project.params)
        return cls(
            principal=principal,
            project=project,
            batch=batch,
            kind=get_task_type(project.type),
            common_defaults={k: defaults[k] for k in COMMON_DEFAULTS if k in defaults},
            type_defaults={k: v for k, v in defaults.items() if k not in COMMON_DEFAULTS},
            overlap=project_settings(project.params).overlap,
        )

    @property
    def shown_project(self) -> str | None:
        return None if self.project.is_default else self.project.name

    def row(
        self, body: Any, task_kind: str = "task", warnings: list[str] | None = None
    ) -> dict[str, Any]:
        """Validate a create body; return the row's column values (InvalidRequest names the
        bad field). Gold and training bodies carry `expected_response` (and `initial_response`).
        Unknown top-level params are dropped and, when `warnings` is given, named there."""
        if not isinstance(body, dict):
            raise InvalidRequest("must be a JSON object", "body")
        body = dict(body)
        expected = initial = None
        if task_kind != "task":
            if "expected_response" not in body:
                raise InvalidRequest("is required", "expected_response")
            expected = body.pop("expected_response")
            initial = body.pop("initial_response", None)
        common = {k: body[k] for k in COMMON_KEYS[2:] if body.get(k) is not None}
        for key, value in self.common_defaults.items():
            common.setdefault(key, value)
        fields = clean_common(common)
        own = {k: v for k, v in body.items() if k not in COMMON_KEYS}
        params = self.kind.validate_params({**self.type_defaults, **own}, warnings)
        if expected is not None:
            expected = _as_field(self.kind.validate_response, params, expected, "expected_response")
        if initial is not None:
            initial = _as_field(self.kind.validate_response, params, initial, "initial_response")
        now = utcnow()
        batch = self.batch
        return {
            "task_id": new_object_id(),
            "org_id": self.principal.org_id,
            "project_id": self.project.id,
            "batch_id": batch.id if batch else None,
            "type": self.project.type,
            "status": "pending",
            "instruction": fields.get("instruction"),
            "params": params,
            "callback_url": fields.get("callback_url"),
            "metadata": fields.get("metadata", {}),
            "unique_id": fields.get("unique_id"),
            "tags": fields.get("tags", []),
            "priority": fields.get("priority", 0),
            "audits": [],
            "is_test": self.principal.is_test,
            "work_started": False,
            "created_at": now,
            "updated_at": now,
            "kind": task_kind,
            "expected_response": expected,
            "initial_response": initial,
            # A test task is never served: the queue only reads the label and review stages,
            # so even slots a later finalize or overlap change opens stay unused.
            "stage": "done" if self.principal.is_test else "label",
            "labels_submitted": 0,
            "batch_rank": batch.priority
            if batch and batch.priority is not None
            else DEFAULT_BATCH_RANK,
            # Served at once unless its batch is still staging (finalize opens it); test-mode
            # tasks never reach a person.
            "open_slots": 0
            if (batch is not None and batch.status == "staging") or self.principal.is_test
            else initial_slots(task_kind, self.overlap),
        }


def create_task(
    session: Session, principal: Principal, task_type: str, body: Any, task_kind: str = "task"
) -> TaskView:
    """Validate everything first, then insert once: a rejected create leaves no trace.

    `task_kind` "gold" (evaluation task) and "training" (qualification task) take an
    `expected_response` (and gold an optional `initial_response`) validated like a response.
    """
    return create_task_with_warnings(session, principal, task_type, body, task_kind)[0]


def create_task_with_warnings(
    session: Session, principal: Principal, task_type: str, body: Any, task_kind: str = "task"
) -> tuple[TaskView, list[str]]:
    """`create_task`, also returning the warnings for the response (unknown params ignored).

    A test-mode key's task completes at once with its type's placeholder response, through
    `complete_task`, so its callback is queued like any other."""
    kind = get_task_type(task_type)
    if not isinstance(body, dict):
        raise InvalidRequest("must be a JSON object", "body")
    placement = Placement.load(session, principal, task_type, body)
    warnings: list[str] = []
    values = placement.row(body, task_kind, warnings)
    check_attachment(
        session, principal, values["params"].get("attachment"), body.get("attachment_type")
    )
    values["metadata_"] = values.pop("metadata")
    used = (values["project_id"], (values["params"], values["instruction"]))
    task = Task(**values)
    insert_task(session, principal, task)
    link_files(session, principal.org_id, [used])
    trail.record(session, principal, "task.create", [task.task_id])
    lifecycle.task_created(session, task, Actor.of(principal))
    if principal.is_test and task_kind == "task":
        # Scale's test environment: complete at once with a placeholder, callbacks fire.
        placeholder = kind.validate_response(task.params, kind.placeholder_response(task.params))
        lifecycle.complete_task(session, task, placeholder, Actor.of(principal), {"test": True})
    batch = placement.batch
    return TaskView(task, placement.shown_project, batch.name if batch else None), warnings


def _as_field(validate: Any, params: dict[str, Any], value: Any, field: str) -> dict[str, Any]:
    try:
        return validate(params, value)
    except InvalidRequest as exc:
        raise InvalidRequest(
            exc.message, (exc.field or "response").replace("response", field, 1)
        ) from None


def insert_task(session: Session, principal: Principal, task: Task) -> None:
    """Insert a task and its tag rows; the unique index turns a duplicate unique_id into 409."""
    unique_id = task.unique_id  # (a failed flush leaves the sealed value on the object)
    session.add(task)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        _raise_duplicate(session, principal, unique_id)
        raise
    if task.tags:
        session.add_all(tag_rows(session, principal.org_id, task.seq, task.tags))
        session.flush()


def tag_rows(session: Session, org_id: int, seq: int, tags: list[str]) -> list[TaskTag]:
    """A task's tag rows hold the tags' keyed hashes, so no index stores them in clear."""
    return [
        TaskTag(task_seq=seq, tag=lookup_hash(session, org_id, t), org_id=org_id)
        for t in dict.fromkeys(tags)
    ]


def _raise_duplicate(session: Session, principal: Principal, unique_id: str | None) -> None:
    if unique_id is None:
        return
    existing = session.scalar(
        owned(select(Task.task_id), Task, principal).where(
            Task.unique_key == lookup_hash(session, principal.org_id, unique_id)
        )
    )
    # `existing` is None when the holder is in the other (test or live) environment.
    holder = f": {existing}" if existing else ""
    raise Conflict(f"a task with unique_id {unique_id!r} already exists{holder}", "unique_id")


def _placement(
    session: Session, principal: Principal, task_type: str, body: dict[str, Any]
) -> tuple[Project, Batch | None]:
    batch = None
    batch_name = body.get("batch")
    if batch_name is not None:
        if not isinstance(batch_name, str):
            raise InvalidRequest("must be a string", "batch")
        batch = get_batch(session, principal, batch_name)
        if batch.status not in ("staging", "in_progress"):
            raise InvalidRequest(
                f"batch {batch_name!r} is {batch.status}; tasks can only be added to a batch in "
                "staging or in progress",
                "batch",
            )
    project_name = body.get("project")
    if project_name is None and batch is not None:
        project = session.get(Project, batch.project_id)
        assert project is not None
    elif project_name is None:
        # Scale makes `project` optional: the type's defaults apply (services/projects.py).
        get_task_type(task_type)
        project = default_project(session, principal, task_type)
    elif not isinstance(project_name, str) or not project_name:
        raise InvalidRequest("must be a project name", "project")
    else:
        project = get_project(session, principal, project_name)
    if batch is not None and batch.project_id != project.id:
        raise InvalidRequest(f"batch {batch.name!r} belongs to another project", "batch")
    if project.type != task_type:
        raise InvalidRequest(
            f"project {project.name!r} takes {project.type} tasks, not {task_type}", "type"
        )
    return project, batch


def _write_tags(session: Session, principal: Principal, task: Task) -> None:
    session.execute(delete(TaskTag).where(TaskTag.task_seq == task.seq))
    if task.tags:
        session.add_all(tag_rows(session, principal.org_id, task.seq, task.tags))
    session.flush()


# --- reads and per-task writes --------------------------------------------------------------

BatchAlias = aliased(Batch)


def load_task(
    session: Session,
    principal: Principal,
    task_id: str,
    for_update: bool = False,
    action: str | None = None,
) -> tuple[Task, str | None, str | None]:
    """The task, scoped to the principal; the access goes on the org's trail as `action`
    (default `task.get`, or `task.update` for a write)."""
    stmt = (
        owned(select(Task, SHOWN_NAME, BatchAlias.name), Task, principal)
        .join(Project, Project.id == Task.project_id)
        .outerjoin(BatchAlias, BatchAlias.id == Task.batch_id)
        .where(Task.task_id == task_id)
    )
    if for_update:
        stmt = stmt.with_for_update(of=Task)
    row = found(session.execute(stmt).first(), "task", task_id)
    trail.record(
        session, principal, action or ("task.update" if for_update else "task.get"), [task_id]
    )
    return row[0], row[1], row[2]


def get_task(session: Session, principal: Principal, task_id: str) -> TaskView:
    return TaskView(*load_task(session, principal, task_id))


def cancel_task(
    session: Session, principal: Principal, task_id: str, clear_unique_id: bool
) -> TaskView:
    task, project, batch = load_task(session, principal, task_id, True, "task.cancel")
    if task.status == "completed":
        raise InvalidRequest("a completed task cannot be canceled", "status")
    if clear_unique_id:
        task.unique_id = None
    lifecycle.cancel_task(session, task, Actor.of(principal))
    return TaskView(task, project, batch)


def audit_task(session: Session, principal: Principal, task_id: str, body: Any) -> TaskView:
    """Scale's audit (accept, or reject: the task goes back for rework), plus a fix: `accepted`
    true with a corrected `response` (a Labelworks extension, validated as a submission is)
    replaces the task's response and records the audit as fixed."""
    if not isinstance(body, dict) or not isinstance(body.get("accepted"), bool):
        raise InvalidRequest("is required and must be a boolean", "accepted")
    comments = body.get("comments")
    if comments is not None and not isinstance(comments, str):
        raise InvalidRequest("must be a string", "comments")
    fixed = body.get("response")
    if fixed is not None:
        if not isinstance(fixed, dict):
            raise InvalidRequest("must be a JSON object", "response")
        if not body["accepted"]:
            raise InvalidRequest("a fix accepts the task: send accepted true with it", "response")
    task, project, batch = load_task(session, principal, task_id, True, "task.audit")
    if task.status != "completed":
        raise InvalidRequest("only a completed task can be audited", "status")
    if fixed is not None:
        fixed = get_task_type(task.type).validate_response(task.params, fixed)
    now = utcnow()
    audit = {
        "accepted": body["accepted"],
        "comments": comments,
        "source": "customer",
        "created_at": now.isoformat(),
    }
    detail: dict[str, Any] = {"accepted": body["accepted"]}
    if fixed is not None:
        audit["fixed"] = True
        detail["fixed"] = True
        task.response = fixed
    task.audits = [*task.audits, audit]
    task.customer_review_status = "accepted" if body["accepted"] else "rejected"
    task.updated_at = now
    session.flush()
    lifecycle.record(
        session, task.org_id, "audited", Actor.of(principal), task=task,
        from_status=task.status, to_status=task.status, detail=detail,
    )  # fmt: skip
    if not body["accepted"]:
        lifecycle.rework_after_audit(session, task, Actor.of(principal))
    return TaskView(task, project, batch)


def set_unique_id(session: Session, principal: Principal, task_id: str, unique_id: Any) -> TaskView:
    fields = clean_common({"unique_id": unique_id})
    if "unique_id" not in fields:
        raise InvalidRequest("is required", "unique_id")
    task, project, batch = load_task(session, principal, task_id, for_update=True)
    task.unique_id = fields["unique_id"]
    task.updated_at = utcnow()
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        _raise_duplicate(session, principal, fields["unique_id"])
        raise
    return TaskView(task, project, batch)


def clear_unique_id(session: Session, principal: Principal, task_id: str) -> TaskView:
    task, project, batch = load_task(session, principal, task_id, for_update=True)
    task.unique_id = None
    task.updated_at = utcnow()
    session.flush()
    return TaskView(task, project, batch)


def set_metadata(session: Session, principal: Principal, task_id: str, metadata: Any) -> TaskView:
    fields = clean_common({"metadata": metadata})
    task, project, batch = load_task(session, principal, task_id, for_update=True)
    task.metadata_ = fields["metadata"]
    task.updated_at = utcnow()
    session.flush()
    return TaskView(task, project, batch)


def change_tags(
    session: Session, principal: Principal, task_id: str, tags: Any, how: str
) -> TaskView:
    """how: set | add | delete."""
    given = clean_common({"tags": tags})["tags"]
    task, project, batch = load_task(session, principal, task_id, for_update=True)
    if how == "set":
        new = given
    elif how == "add":
        new = list(dict.fromkeys([*task.tags, *given]))
    else:
        new = [t for t in task.tags if t not in set(given)]
    task.tags = new
    task.updated_at = utcnow()
    _write_tags(session, principal, task)
    return TaskView(task, project, batch)
