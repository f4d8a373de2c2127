"""Who is asking, and the one place that scopes queries to what they may see.

Every service function that touches customer data takes a `Principal` and builds its queries through
`owned()`: an object of another org is simply not found (404), exactly as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select

from labelworks.errors import NotFound

T = TypeVar("T")


@dataclass(frozen=True)
class Principal:
    """Who is asking, on the customer side: an API key, a signed-in customer user, or the
    platform itself (CLI, imports, background work: `kind="system"`).

    `role` is the platform role (customer, annotator, reviewer, admin); `team_role` is the role
    within the org (labeler, member, manager, admin). API keys act as the org's admin.
    """

    org_id: int
    org_name: str
    kind: str = "system"  # api_key | user | system
    key_id: int | None = None
    user_id: int | None = None
    role: str = "customer"
    team_role: str = "admin"
    is_test: bool = False


def owned(stmt: Select[Any], model: Any, principal: Principal) -> Select[Any]:
    stmt = stmt.where(model.org_id == principal.org_id)
    # Scale's test and live modes are separate worlds: a test key sees only test tasks and
    # batches, everyone else only live ones (projects and files are shared).
    if model.__tablename__ in ("tasks", "batches"):
        stmt = stmt.where(model.is_test == principal.is_test)
    return stmt


def found(obj: T | None, what: str, key: str) -> T:
    if obj is None:
        raise NotFound(f"no {what} named {key!r}" if what != "task" else f"no task with id {key!r}")
    return obj
