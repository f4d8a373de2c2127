"""Who is asking, and the one place that scopes queries to what they may see.

Every service query that reads customer rows is scoped here: `owned(stmt, Model, principal)` for a
whole statement, or `of_org(Model, owner)` for the condition inside a larger one. An object of
another org is simply not found (404), exactly as if it did not exist. `owner` is the principal,
or a row already scoped (a batch, a file, an assignment) whose org the query follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, Select

from labelworks.errors import NotFound

T = TypeVar("T")
S = TypeVar("S", bound=Select)  # any select, whatever its columns


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
    # Least privilege for API keys: writes refused (`api/policies/base.authorize`), and/or only
    # these projects visible (anything else is not found).
    read_only: bool = False
    projects: tuple[str, ...] | None = None


class HasOrg(Protocol):
    @property
    def org_id(self) -> int: ...


def of_org(model: Any, owner: HasOrg | int) -> ColumnElement[bool]:
    """`model.org_id` equals the owner's org: the tenancy condition, spelled once."""
    org_id = owner if isinstance(owner, int) else owner.org_id
    return model.org_id == org_id


def owned(stmt: S, model: Any, principal: Principal) -> S:
    stmt = stmt.where(of_org(model, principal))
    # Scale's test and live modes are separate worlds: a test key sees only test tasks and
    # batches, everyone else only live ones (projects and files are shared).
    if model.__tablename__ in ("tasks", "batches"):
        stmt = stmt.where(model.is_test == principal.is_test)
    if principal.projects is not None:
        if model.__tablename__ == "projects" or hasattr(model, "project_id"):
            stmt = stmt.where(in_key_projects(model, principal))
        elif model.__tablename__ == "files":
            stmt = stmt.where(file_in_key_projects(model, principal))
    return stmt


def in_key_projects(model: Any, principal: Principal) -> ColumnElement[bool]:
    """A project-limited key's reach: its named projects, and the rows under them."""
    from sqlalchemy import select

    from labelworks.db.tables import Project

    names = principal.projects or ()
    if model is Project:
        return Project.name.in_(names)
    return model.project_id.in_(
        select(Project.id).where(of_org(Project, principal), Project.name.in_(names))
    )


def file_in_key_projects(model: Any, principal: Principal) -> ColumnElement[bool]:
    """A project-limited key reaches a file used by a task of its projects, or one no task uses
    yet (an upload is not tied to a project: the key must be able to read back what it just
    uploaded, before the task that uses it exists). A file used only by other projects' tasks
    is not found."""
    from sqlalchemy import exists, not_, select

    from labelworks.db.tables import FileLink, Project

    used = select(FileLink.project_id).where(FileLink.file_id == model.id)
    names = principal.projects or ()
    mine = used.where(
        FileLink.project_id.in_(
            select(Project.id).where(of_org(Project, principal), Project.name.in_(names))
        )
    )
    return not_(exists(used)) | exists(mine)


def found(obj: T | None, what: str, key: str) -> T:
    if obj is None:
        raise NotFound(f"no {what} named {key!r}" if what != "task" else f"no task with id {key!r}")
    return obj
