"""What the customer's quality page shows: gold accuracy over time and per annotator (as
"Annotator N", never an email or id), agreement per project (Krippendorff's alpha over a
bounded recent sample of labels), the disagreement rate, review decisions and the labels adaptive
overlap saved. Rates over time come from the hourly counters; the rest from bounded queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from labelworks.db.database import Database
from labelworks.db.tables import ActivityHour, AnnotatorAlias, Assignment, Project
from labelworks.db.types import utcnow
from labelworks.quality.agreement import krippendorff_alpha
from labelworks.services.counters import hour_of
from labelworks.services.dashboard import NO_PROJECT
from labelworks.services.scope import Principal, of_org
from labelworks.tasktypes import get_task_type

DAYS = 30
SAMPLE = 2_000  # most recent labels per project for agreement: bounded, so the page stays fast
SCORED = ("accepted", "dissented", "rejected", "submitted")


@dataclass
class ProjectQuality:
    name: str
    labels: int  # in the last DAYS days
    alpha: float | None  # None: not a categorical type, or too few overlapping labels
    alpha_units: int
    disagreement: float | None  # share of scored labels that dissented from the consensus
    review: dict[str, int]  # accept / fix / reject, last DAYS days
    labels_saved: int

    def review_rate(self, decision: str) -> float | None:
        total = sum(self.review.values())
        return self.review[decision] / total if total else None

    @property
    def saved_share(self) -> float | None:
        spent = self.labels + self.labels_saved
        return self.labels_saved / spent if spent else None


@dataclass
class AnnotatorGold:
    number: int
    alias: str
    answered: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


def _since() -> dt.datetime:
    return hour_of(utcnow()).replace(hour=0) - dt.timedelta(days=DAYS - 1)


def projects(session: Session, principal: Principal) -> list[ProjectQuality]:
    rows = list(
        session.execute(
            select(Project.id, Project.name, Project.type, Project.is_default)
            .where(of_org(Project, principal), Project.archived.is_(False))
            .order_by(Project.is_default, Project.name)
        )
    )
    sums = {
        r.project_id: r
        for r in session.execute(
            select(
                ActivityHour.project_id,
                func.sum(ActivityHour.labels).label("labels"),
                func.sum(ActivityHour.review_accept).label("accept"),
                func.sum(ActivityHour.review_fix).label("fix"),
                func.sum(ActivityHour.review_reject).label("reject"),
                func.sum(ActivityHour.labels_saved).label("saved"),
            )
            .where(of_org(ActivityHour, principal), ActivityHour.hour >= _since())
            .group_by(ActivityHour.project_id)
        )
    }
    out = []
    for p in rows:
        s = sums.get(p.id)
        alpha, units, disagreement = _agreement(session, principal, p.id, p.type)
        out.append(
            ProjectQuality(
                name=f"{NO_PROJECT} ({p.type})" if p.is_default else p.name,
                labels=int(s.labels or 0) if s else 0,
                alpha=alpha,
                alpha_units=units,
                disagreement=disagreement,
                review={
                    "accept": int(s.accept or 0) if s else 0,
                    "fix": int(s.fix or 0) if s else 0,
                    "reject": int(s.reject or 0) if s else 0,
                },
                labels_saved=int(s.saved or 0) if s else 0,
            )
        )
    return out


def _agreement(
    session: Session, principal: Principal, project_id: int, task_type: str
) -> tuple[float | None, int, float | None]:
    """(alpha, units with 2+ labels, disagreement rate) over the project's latest labels."""
    sample = session.execute(
        select(Assignment.task_seq, Assignment.round, Assignment.status, Assignment.response)
        .where(
            of_org(Assignment, principal),
            Assignment.project_id == project_id,
            Assignment.status.in_(SCORED),
            Assignment.stage == "label",
            Assignment.task_kind == "task",
        )
        .order_by(Assignment.id.desc())
        .limit(SAMPLE)
    ).all()
    settled = [r for r in sample if r.status in ("accepted", "dissented")]
    disagreement = sum(r.status == "dissented" for r in settled) / len(settled) if settled else None
    kind = get_task_type(task_type)
    units, labels = [], []
    for r in sample:
        label = kind.categorical_label(r.response or {})
        if label is None:
            return None, 0, disagreement
        units.append((r.task_seq, r.round))
        labels.append(label)
    per_unit: dict[Any, int] = defaultdict(int)
    for u in units:
        per_unit[u] += 1
    pairable = sum(1 for n in per_unit.values() if n >= 2)
    try:
        alpha = krippendorff_alpha(units, labels)
    except (ValueError, ZeroDivisionError, FloatingPointError):
        return None, pairable, disagreement
    return (alpha if alpha == alpha else None), pairable, disagreement  # NaN: all one value


def gold_by_annotator(db: Database, principal: Principal) -> list[AnnotatorGold]:
    """Gold answered and passed per person in the last DAYS days, under the org's aliases (read
    first; a short write only when someone new needs a number)."""
    with db.read() as session:
        rows = list(
            session.execute(
                select(
                    Assignment.user_id,
                    func.count(),
                    func.sum(case((Assignment.status == "accepted", 1), else_=0)),
                )
                .where(
                    of_org(Assignment, principal),
                    Assignment.task_kind == "gold",
                    Assignment.status.in_(("accepted", "rejected")),
                    Assignment.score.is_not(None),
                    Assignment.submitted_at >= _since(),
                )
                .group_by(Assignment.user_id)
            )
        )
        names = _known(session, principal.org_id)
    if any(r[0] not in names for r in rows):
        with db.write() as session:
            names = aliases(session, principal.org_id, [r[0] for r in rows])
    out = [
        AnnotatorGold(names[u], f"Annotator {names[u]}", int(n), int(c or 0)) for u, n, c in rows
    ]
    return sorted(out, key=lambda a: a.number)


def aliases(session: Session, org_id: int, user_ids: list[int]) -> dict[int, int]:
    """Each person's number in the org, handed out on first sight in ascending user order, and
    kept: `(org, number)` is unique, so two pages numbering at once cannot both take a number;
    the loser retries with the next."""
    known = _known(session, org_id)
    for user_id in sorted(set(user_ids) - set(known)):
        for _ in range(5):
            number = max(known.values(), default=0) + 1
            dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
            stmt = dialect.insert(AnnotatorAlias).values(
                org_id=org_id, user_id=user_id, number=number
            )
            session.execute(stmt.on_conflict_do_nothing())
            known = _known(session, org_id)
            if user_id in known:
                break
    return known


def _known(session: Session, org_id: int) -> dict[int, int]:
    return dict(
        session.execute(
            select(AnnotatorAlias.user_id, AnnotatorAlias.number).where(
                AnnotatorAlias.org_id == org_id
            )
        ).all()
    )


def daily(session: Session, principal: Principal) -> dict[str, Any]:
    """Gold accuracy (%) and review decisions per day over the last DAYS days: chart data."""
    start = _since()
    step = dt.timedelta(days=1)
    cols = ("gold_answered", "gold_correct", "review_accept", "review_fix", "review_reject")
    per_day = [[0] * len(cols) for _ in range(DAYS)]
    for row in session.execute(
        select(ActivityHour.hour, *(func.sum(getattr(ActivityHour, c)) for c in cols))
        .where(of_org(ActivityHour, principal), ActivityHour.hour >= start)
        .group_by(ActivityHour.hour)
    ):
        i = int((row[0] - start) // step)
        if 0 <= i < DAYS:
            for j, value in enumerate(row[1:]):
                per_day[i][j] += value
    x = [int((start + step * i).timestamp()) for i in range(DAYS)]
    accuracy = [round(100 * d[1] / d[0], 1) if d[0] else None for d in per_day]
    return {
        "gold": {
            "x": x,
            "series": [
                {"label": "gold accuracy %", "values": accuracy},
                {"label": "gold answered", "values": [d[0] for d in per_day]},
            ],
            "x_kind": "time",
            "y_label": "per day",
        },
        "review": {
            "x": x,
            "series": [
                {"label": name, "values": [d[2 + k] for d in per_day]}
                for k, name in enumerate(("accepted", "fixed", "rejected"))
            ],
            "x_kind": "time",
            "y_label": "reviews per day",
        },
    }
