"""Tables. Every customer-owned row carries `org_id`; queries go through `services.scope`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from labelworks.db.types import Content, SealedText, UTCDateTime, utcnow

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class InstanceSecret(Base):
    """Secrets of this installation (e.g. the key that signs list tokens), shared by all processes."""

    __tablename__ = "instance_secrets"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class Org(Base):
    __tablename__ = "orgs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    callback_secret: Mapped[str] = mapped_column(String(100))
    fair_share_weight: Mapped[float] = mapped_column(default=1.0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # A `test_…` key: its tasks complete at once with a placeholder answer (Scale's test mode).
    is_test: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Least privilege (0009_walls): a read-only key, and/or one limited to named projects.
    read_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    projects: Mapped[list[str] | None] = mapped_column(JSON)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    org_id: Mapped[int | None] = mapped_column(
        ForeignKey("orgs.id", ondelete="CASCADE"), index=True
    )
    password_hash: Mapped[str | None] = mapped_column(String(200))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("org_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(40))
    # Current params (task defaults + Labelworks settings); history in project_param_versions.
    params: Mapped[dict[str, Any]] = mapped_column(Content, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0)
    studio: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # The hidden per-(org, type) project of tasks created without one (services/projects.py).
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Pay rates are set by an operator (`labelworks project set`), never by the customer.
    rate_per_label: Mapped[float] = mapped_column(Float, default=0.0)
    rate_per_review: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProjectParamVersion(Base):
    __tablename__ = "project_param_versions"
    __table_args__ = (UniqueConstraint("project_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict[str, Any]] = mapped_column(Content)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Batch(Base):
    __tablename__ = "batches"
    __table_args__ = (
        UniqueConstraint("org_id", "name"),
        Index(None, "org_id", "project_id", "created_at"),
        Index(None, "org_id", "status", "created_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="staging")
    callback: Mapped[str | None] = mapped_column(SealedText)
    calibration_batch: Mapped[bool] = mapped_column(Boolean, default=False)
    self_label_batch: Mapped[bool] = mapped_column(Boolean, default=False)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", Content, default=dict)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # Made with a test key: seen only by test keys, like the tasks in it.
    is_test: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Studio priority: lower serves first; NULL = unprioritised.
    priority: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        # unique_id per org, through its keyed hash (the plaintext is sealed, not indexed).
        Index("uq_tasks_org_id_unique_key", "org_id", "unique_key", unique=True),
        # Listing walks `seq` inside the org; each filter has an index ending in seq.
        Index(None, "org_id", "seq"),
        Index(None, "org_id", "status", "seq"),
        Index(None, "org_id", "project_id", "status", "seq"),
        Index(None, "org_id", "batch_id", "status", "seq"),
        Index(None, "org_id", "type", "seq"),
        Index(None, "org_id", "customer_review_status", "seq"),
        Index(None, "org_id", "created_at"),
        Index(None, "org_id", "updated_at"),
        Index(None, "org_id", "completed_at"),
        Index(
            "ix_tasks_queue",
            "stage",
            "org_id",
            "batch_rank",
            text("priority DESC"),
            "seq",
            postgresql_where=text("open_slots > 0"),
            sqlite_where=text("open_slots > 0"),
        ),
        Index(None, "org_id", "kind", "project_id"),
    )
    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(String(32), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    instruction: Mapped[str | None] = mapped_column(Content)
    params: Mapped[dict[str, Any]] = mapped_column(Content)
    callback_url: Mapped[str | None] = mapped_column(SealedText)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", Content, default=dict)
    unique_id: Mapped[str | None] = mapped_column(SealedText)
    # HMAC of unique_id under the org's lookup key (db/keyring.py), set when unique_id is.
    unique_key: Mapped[str | None] = mapped_column(String(64))
    tags: Mapped[list[str]] = mapped_column(Content, default=list)
    response: Mapped[dict[str, Any] | None] = mapped_column(Content)
    audits: Mapped[list[dict[str, Any]]] = mapped_column(Content, default=list)
    customer_review_status: Mapped[str | None] = mapped_column(String(20))
    callback_succeeded: Mapped[bool | None] = mapped_column(Boolean)
    is_test: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    work_started: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # --- workforce queue (see services/queue.py) ---
    # task | gold (evaluation task, scored, mixed into work) | training (qualification)
    kind: Mapped[str] = mapped_column(String(10), default="task")
    expected_response: Mapped[dict[str, Any] | None] = mapped_column(Content)
    initial_response: Mapped[dict[str, Any] | None] = mapped_column(Content)
    # label -> review -> done; open_slots = leases that may still be handed out at this stage
    # (0 while its batch is staging, canceled, completed...). The queue index is partial on it.
    stage: Mapped[str] = mapped_column(String(10), default="label")
    open_slots: Mapped[int] = mapped_column(Integer, default=0)
    labels_submitted: Mapped[int] = mapped_column(Integer, default=0)
    # Studio batch priority (lower first); unprioritised batches share the default rank.
    batch_rank: Mapped[int] = mapped_column(Integer, default=1_000_000)
    # Labeling round: 0, then +1 each time a reject (review or audit) sends the task back.
    round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class TaskTag(Base):
    """One row per (task, tag), so `tags=` filters use an index instead of scanning JSON."""

    __tablename__ = "task_tags"
    __table_args__ = (Index(None, "org_id", "tag", "task_seq"),)
    task_seq: Mapped[int] = mapped_column(
        BigId, ForeignKey("tasks.seq", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(200), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))


class File(Base):
    __tablename__ = "files"
    __table_args__ = (Index(None, "org_id", "created_at"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str | None] = mapped_column(SealedText)
    source_url: Mapped[str | None] = mapped_column(SealedText)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", Content, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- people, teams and Studio -------------------------------------------------------------------


class UserSession(Base):
    """A login: the bearer token's hash, its user and expiry."""

    __tablename__ = "user_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class LoginFailure(Base):
    """Failed logins per email in the current window (rate limiting across processes)."""

    __tablename__ = "login_failures"
    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class InviteToken(Base):
    __tablename__ = "invite_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class TeamMember(Base):
    """A user in an org's private workforce (Scale teams): labeler, member, manager or admin."""

    __tablename__ = "team_members"
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    team_role: Mapped[str] = mapped_column(String(20))
    # pending: invited, not yet accepted (no work from this team, nothing shown about the
    # account); active: accepted, or put on the team by an operator.
    status: Mapped[str] = mapped_column(String(10), default="active", server_default="active")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class StudioAssignment(Base):
    """A teammate assigned to work on a project."""

    __tablename__ = "studio_assignments"
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ProjectGroup(Base):
    __tablename__ = "project_groups"
    __table_args__ = (UniqueConstraint("project_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProjectGroupMember(Base):
    __tablename__ = "project_group_members"
    group_id: Mapped[int] = mapped_column(
        ForeignKey("project_groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class BatchGroup(Base):
    """A Studio batch restricted to some project groups (assign_studio_batches)."""

    __tablename__ = "batch_groups"
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("batches.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("project_groups.id", ondelete="CASCADE"), primary_key=True
    )


# --- the work queue -------------------------------------------------------------------------------


class Assignment(Base):
    """One annotator's (or reviewer's) turn on a task: leased, then submitted/skipped/expired.

    The unique (task, user, stage, round) index is what guarantees nobody labels a task twice in
    one round (a new round after a reject admits earlier labellers only if the project allows it).
    """

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("task_seq", "user_id", "stage", "round"),
        Index(None, "status", "lease_expires_at"),
        Index(None, "user_id", "status"),
        Index(None, "task_seq", "stage", "status"),
        Index(None, "org_id", "project_id", "status"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    task_seq: Mapped[int] = mapped_column(BigId, ForeignKey("tasks.seq", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(10), default="label")  # label | review
    # leased | submitted | skipped | expired | discarded | accepted | rejected
    status: Mapped[str] = mapped_column(String(12), default="leased")
    task_kind: Mapped[str] = mapped_column(String(10), default="task")
    round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lease_expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    response: Mapped[dict[str, Any] | None] = mapped_column(Content)
    decision: Mapped[str | None] = mapped_column(String(10))  # review: accept | fix | reject
    score: Mapped[float | None] = mapped_column(Float)  # gold/training score in [0, 1]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class WorkerProjectStats(Base):
    """An annotator's standing on one project: rolling gold accuracy, training, pause."""

    __tablename__ = "worker_project_stats"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    gold_scores: Mapped[list[float]] = mapped_column(JSON, default=list)  # most recent last
    gold_accuracy: Mapped[float | None] = mapped_column(Float)
    training_scores: Mapped[list[float]] = mapped_column(JSON, default=list)
    training_passed: Mapped[bool] = mapped_column(Boolean, default=False)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Earning(Base):
    """Append-only pay ledger: one row per accepted piece of work (or an adjustment)."""

    __tablename__ = "earnings"
    __table_args__ = (Index(None, "user_id", "created_at"), Index(None, "created_at"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    assignment_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("assignments.id", ondelete="SET NULL"), unique=True
    )
    kind: Mapped[str] = mapped_column(String(12))  # label | review | adjustment
    amount: Mapped[float] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- delivery -------------------------------------------------------------------------------------


class OutboxMessage(Base):
    """A callback to deliver, written in the transaction that completes its task or batch.

    Delivery workers claim rows by setting a lease (`claimed_by`, `claim_expires_at`), so several
    workers never send one message concurrently, and a crashed worker's claim simply expires.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index(None, "status", "next_attempt_at"), Index(None, "org_id", "task_seq"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    task_seq: Mapped[int | None] = mapped_column(BigId, ForeignKey("tasks.seq", ondelete="CASCADE"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # task | batch
    url: Mapped[str] = mapped_column(SealedText)
    payload: Mapped[dict[str, Any]] = mapped_column(Content)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending|succeeded|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claim_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    outbox_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("outbox.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    duration_ms: Mapped[float | None] = mapped_column(Float)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)


# --- web workspace (migration 0003_web) ---------------------------------------------------------


class WorkDraft(Base):
    """The answer a worker has in progress on a lease, saved by the workspace every 30 s so a
    crash or another browser loses at most that much; gone with the lease."""

    __tablename__ = "work_drafts"
    assignment_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("assignments.id", ondelete="CASCADE"), primary_key=True
    )
    response: Mapped[Any] = mapped_column(Content, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReviewReason(Base):
    """Why a reviewer rejected (or fixed) the labels of a task: one per review assignment."""

    __tablename__ = "review_reasons"
    assignment_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("assignments.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(SealedText)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Event(Base):
    """Append-only lifecycle trail: one row per task or batch status change, written by
    `services/lifecycle.py` in the transaction that makes the change."""

    __tablename__ = "events"
    __table_args__ = (
        Index(None, "org_id", "task_seq", "id"),
        Index(None, "org_id", "batch_id", "id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(10))  # task | batch
    task_seq: Mapped[int | None] = mapped_column(BigId, ForeignKey("tasks.seq", ondelete="CASCADE"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    # api_key | user | worker | system, and the key id or user id (none for system)
    actor_kind: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExportJob(Base):
    """An export run in the background for the web (`services/exports/jobs.py`): its progress,
    and the finished file under `<data_dir>/exports/<id>`. Rows (so every server process can
    answer the polling page), scoped by org like everything else."""

    __tablename__ = "export_jobs"
    __table_args__ = (Index(None, "org_id", "created_at"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    project: Mapped[str] = mapped_column(String(200))
    batch: Mapped[str | None] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10))  # running | done | failed
    done: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int] = mapped_column(BigInteger, default=0)
    size: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


# --- dashboard counters (migration 0006_counters) -----------------------------------------------


class TaskCount(Base):
    """How many tasks are in each status, per (org, project, batch, kind, environment): kept by
    `services/counters.py` in the transaction that creates a task or changes its status, so the
    dashboard never counts the tasks table. `batch_id` 0 = no batch (a key column must not be
    NULL for `ON CONFLICT` to match)."""

    __tablename__ = "task_counts"
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    batch_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    is_test: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class ActivityHour(Base):
    """The work done in one project in one hour (live tasks only): labels submitted, tasks
    completed, review decisions, gold answered and passed, labels adaptive overlap saved."""

    __tablename__ = "activity_hours"
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    hour: Mapped[dt.datetime] = mapped_column(UTCDateTime, primary_key=True)
    labels: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    completed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    review_accept: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    review_fix: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    review_reject: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    gold_answered: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    gold_correct: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    labels_saved: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class AnnotatorAlias(Base):
    """ "Annotator 1, 2…": the stable number a customer's pages show for a person, per org,
    handed out in order of first appearance (never an email or user id)."""

    __tablename__ = "annotator_aliases"
    __table_args__ = (UniqueConstraint("org_id", "number"),)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer)


# --- confidentiality (migration 0009_walls) -------------------------------------------------------


class ConflictWall(Base):
    """Two orgs that no person may work for within `days` of each other (symmetric: one row,
    the smaller org id first). Set by an operator or applied from a customer's request."""

    __tablename__ = "conflict_walls"
    __table_args__ = (UniqueConstraint("org_a_id", "org_b_id"), Index(None, "org_b_id"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_a_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    org_b_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    days: Mapped[int] = mapped_column(Integer, default=30)
    source: Mapped[str] = mapped_column(String(10), default="operator")  # operator | request
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class WallRequest(Base):
    """A customer's request for a wall against a competitor, kept by normalised name so the
    answer never says whether such an org exists; applied now or when that org is created."""

    __tablename__ = "wall_requests"
    __table_args__ = (UniqueConstraint("org_id", "name_key"), Index(None, "name_key"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))  # as the customer typed it
    name_key: Mapped[str] = mapped_column(String(200))
    days: Mapped[int] = mapped_column(Integer, default=30)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkedOrg(Base):
    """When a person last leased or submitted work of an org: what the walls are checked
    against, upserted in the transaction that hands out or takes in the work."""

    __tablename__ = "worked_orgs"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    last_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class BreakglassGrant(Base):
    """Time-limited operator access to one org's content, with its reason; listed to the
    customer. `operator_user_id` NULL: the grant is for the command line (exports)."""

    __tablename__ = "breakglass_grants"
    __table_args__ = (Index(None, "org_id", "expires_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    operator_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    operator: Mapped[str] = mapped_column(String(320))  # the email, or "command line (user)"
    reason: Mapped[str] = mapped_column(Text)
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


# --- encryption at rest (migration 0007_org_keys) ------------------------------------------------


class OrgKey(Base):
    """An org's key, wrapped by the master key (db/keyring.py): `data` keys seal content (the
    newest unretired one seals new writes; retired ones still open old ciphertext), the `lookup`
    key makes the keyed hashes of unique_id and tags. Destroying sets `wrapped_key` to NULL (the
    row stays, so the key id of shredded ciphertext is known to be gone); no foreign key, so the
    row outlives its org."""

    __tablename__ = "org_keys"
    __table_args__ = (Index(None, "org_id", "purpose"),)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    org_id: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(10))  # data | lookup
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    destroyed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class TrailHead(Base):
    """The head of an org's access trail: its last seq and hash. Appends lock this row
    (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's write lock), so each org's chain grows one
    record at a time."""

    __tablename__ = "trail_heads"
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class TrailRecord(Base):
    """One access to an org's content (`services/trail.py`): who, what, when, why, chained to the
    org's previous record by `prev_hash` -> `hash` (SHA-256 over a canonical encoding)."""

    __tablename__ = "trail_records"
    __table_args__ = (
        UniqueConstraint("org_id", "seq"),
        Index(None, "org_id", "actor_kind", "seq"),
        Index(None, "org_id", "action", "seq"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[str] = mapped_column(String(32))  # ISO-8601 UTC, microseconds: hashed as stored
    # api_key | user | annotator | reviewer | operator | export | callback | system
    actor_kind: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))  # task.get, task.list, work.next, …
    object_type: Mapped[str | None] = mapped_column(String(20))
    object_ids: Mapped[str] = mapped_column(Text)  # canonical JSON list, hashed as stored
    count: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class FileLink(Base):
    """An uploaded file used by a task of a project (its URL in the task's params): what lets a
    project-limited API key reach the file (`services/scope.owned`), the params being sealed."""

    __tablename__ = "file_links"
    file_id: Mapped[str] = mapped_column(
        ForeignKey("files.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True, index=True
    )
