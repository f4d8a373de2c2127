"""What the customer's landing page shows: the org's projects and batches with their progress,
and throughput over time, read from the counters (`services/counters.py`), never by counting
tasks. Scoped to the principal's org and environment (test or live) like every other read."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelworks.db.tables import ActivityHour, Batch, Project, TaskCount
from labelworks.db.types import utcnow
from labelworks.errors import InvalidRequest
from labelworks.services.counters import hour_of
from labelworks.services.projects import get_project
from labelworks.services.scope import Principal, of_org, owned

STATUSES = ("pending", "completed", "canceled", "error")
BATCHES_SHOWN = 20  # per project, newest first; the task browser has the rest
NO_PROJECT = "Tasks without a project"


@dataclass
class Progress:
    """Tasks by status; `total` leaves canceled tasks out (they will never be done)."""

    by_status: dict[str, int] = field(default_factory=dict)

    def add(self, status: str, n: int) -> None:
        self.by_status[status] = self.by_status.get(status, 0) + n

    @property
    def completed(self) -> int:
        return self.by_status.get("completed", 0)

    @property
    def total(self) -> int:
        return sum(n for s, n in self.by_status.items() if s != "canceled")

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0

    def states(self) -> list[tuple[str, int]]:
        known = [(s, self.by_status.get(s, 0)) for s in STATUSES]
        return known + sorted((s, n) for s, n in self.by_status.items() if s not in STATUSES)


@dataclass
class BatchRow:
    name: str | None  # None: the project's tasks in no batch
    status: str | None
    progress: Progress


@dataclass
class ProjectRow:
    name: str  # the real name (links); `shown` is what the page prints
    shown: str
    type: str
    is_default: bool
    progress: Progress = field(default_factory=Progress)
    batches: list[BatchRow] = field(default_factory=list)
    more_batches: int = 0


def landing(session: Session, principal: Principal) -> list[ProjectRow]:
    """The org's projects (real ones by name, then the hidden default ones), each with its
    progress and its newest batches."""
    projects = {
        p.id: ProjectRow(
            p.name,
            f"{NO_PROJECT} ({p.type})" if p.is_default else p.name,
            p.type,
            p.is_default,
        )
        for p in session.scalars(
            select(Project)
            .where(of_org(Project, principal), Project.archived.is_(False))
            .order_by(Project.is_default, Project.name)
        )
    }
    per_batch: dict[int, dict[int, Progress]] = defaultdict(lambda: defaultdict(Progress))
    for row in session.execute(
        select(TaskCount.project_id, TaskCount.batch_id, TaskCount.status, TaskCount.n).where(
            of_org(TaskCount, principal),
            TaskCount.is_test == principal.is_test,
            TaskCount.kind == "task",
            TaskCount.n != 0,
        )
    ):
        if row.project_id in projects:
            projects[row.project_id].progress.add(row.status, row.n)
            per_batch[row.project_id][row.batch_id].add(row.status, row.n)
    batches = session.execute(
        owned(select(Batch.id, Batch.project_id, Batch.name, Batch.status), Batch, principal)
        .where(Batch.archived.is_(False))
        .order_by(Batch.created_at.desc(), Batch.id.desc())
    )
    for b in batches:
        project = projects.get(b.project_id)
        if project is None:
            continue
        if len(project.batches) < BATCHES_SHOWN:
            project.batches.append(BatchRow(b.name, b.status, per_batch[b.project_id][b.id]))
        else:
            project.more_batches += 1
    for project_id, project in projects.items():
        loose = per_batch[project_id].get(0)
        if loose is not None and loose.total + loose.by_status.get("canceled", 0):
            project.batches.append(BatchRow(None, None, loose))
    return list(projects.values())


# --- throughput ---------------------------------------------------------------------------------

RANGES = {"48h": (dt.timedelta(hours=1), 48), "30d": (dt.timedelta(days=1), 30)}


def throughput(
    session: Session, principal: Principal, span: str, project: str | None
) -> dict[str, Any]:
    """Labels submitted and tasks completed per hour (last 48 h) or per day (last 30 days), in
    the chart format of `frontend/src/charts/charts.ts`; empty steps are zeros."""
    if span not in RANGES:
        raise InvalidRequest(f"must be one of {', '.join(RANGES)}", "range")
    step, count = RANGES[span]
    now = hour_of(utcnow())
    end = now if span == "48h" else now.replace(hour=0)
    start = end - step * (count - 1)
    stmt = select(ActivityHour.hour, ActivityHour.labels, ActivityHour.completed).where(
        of_org(ActivityHour, principal), ActivityHour.hour >= start
    )
    if project is not None:
        stmt = stmt.where(ActivityHour.project_id == get_project(session, principal, project).id)
    labels = [0] * count
    done = [0] * count
    for hour, n_labels, n_done in session.execute(stmt):
        i = int((hour - start) // step)
        if 0 <= i < count:
            labels[i] += n_labels
            done[i] += n_done
    return {
        "x": [int((start + step * i).timestamp()) for i in range(count)],
        "series": [
            {"label": "labels submitted", "values": labels},
            {"label": "tasks completed", "values": done},
        ],
        "x_kind": "time",
        "y_label": "per hour" if span == "48h" else "per day",
    }
