"""Who is asking, and the one place that scopes queries to what they may see.

Every service function that touches customer data takes a `Tenant` and builds its queries through
`owned()`: an object of another org is simply not found (404), exactly as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select

from labelworks.errors import NotFound

T = TypeVar("T")


@dataclass(frozen=True)
class Tenant:
    org_id: int
    org_name: str


def owned(stmt: Select[Any], model: Any, tenant: Tenant) -> Select[Any]:
    return stmt.where(model.org_id == tenant.org_id)


def found(obj: T | None, what: str, key: str) -> T:
    if obj is None:
        raise NotFound(f"no {what} named {key!r}" if what != "task" else f"no task with id {key!r}")
    return obj
