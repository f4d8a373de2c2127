"""Payouts: what each annotator earned in a period, summed from the append-only `earnings` ledger."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import IO

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from labelworks.db.tables import Earning, Org, User
from labelworks.errors import InvalidRequest

CSV_COLUMNS = ("email", "labels", "reviews", "amount")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Payout:
    email: str
    labels: int
    reviews: int
    amount: Decimal


def parse_bound(value: str, field: str) -> dt.datetime:
    """An ISO date (midnight UTC) or date-time (UTC unless it says otherwise)."""
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidRequest("must be an ISO date (YYYY-MM-DD) or date-time", field) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def payouts(
    session: Session, start: dt.datetime, end: dt.datetime, org: Org | None = None
) -> list[Payout]:
    """Per annotator, the ledger rows created in [start, end): counts of label and review rows and
    the sum of all amounts (adjustments included), rounded half-up to cents."""
    if end <= start:
        raise InvalidRequest("must be after --from", "to")
    stmt = (
        select(
            User.email,
            func.count(case((Earning.kind == "label", 1))),
            func.count(case((Earning.kind == "review", 1))),
            func.sum(Earning.amount),
        )
        .join(User, User.id == Earning.user_id)
        .where(Earning.created_at >= start, Earning.created_at < end)
        .group_by(User.email)
        .order_by(User.email)
    )
    if org is not None:
        stmt = stmt.where(Earning.org_id == org.id)
    return [
        Payout(email, labels, reviews, _cents(amount or 0.0))
        for email, labels, reviews, amount in session.execute(stmt)
    ]


def _cents(amount: float) -> Decimal:
    # repr() of the float sum, not its binary expansion: 0.1 + 0.2 pays 0.30.
    return Decimal(repr(amount)).quantize(CENT, rounding=ROUND_HALF_UP)


def write_csv(rows: list[Payout], out: IO[str]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow((row.email, row.labels, row.reviews, f"{row.amount:.2f}"))
