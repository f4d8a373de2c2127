"""Team roles and the `authorize` dependencies that routes declare."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Depends

from labelworks.api.deps import PersonDep, PrincipalDep
from labelworks.errors import Forbidden
from labelworks.services.auth import Person
from labelworks.services.scope import Principal

# Within an org, each role may do what the ones before it may (API keys act as `admin`).
TEAM_ROLES = ("labeler", "member", "manager", "admin")

Check = Callable[[Principal], None]
WorkerCheck = Callable[[Person], None]


def at_least(principal: Principal, role: str, action: str) -> None:
    """Allow `action` to team role `role` and above; anything else is a 403 saying why."""
    have = principal.team_role
    rank = TEAM_ROLES.index(have) if have in TEAM_ROLES else -1
    if rank < TEAM_ROLES.index(role):
        raise Forbidden(f"{action} needs the team role {role} or higher; you are {have}")


def key_scope(principal: Principal, check: Check) -> None:
    """A read-only API key passes only the policies' `read` checks (never a write, nor the
    callback secret)."""
    if principal.read_only and getattr(check, "__name__", "") != "read":
        raise Forbidden("this API key is read-only")


def authorize(check: Check) -> Any:
    """`principal: Annotated[Principal, authorize(TaskPolicy.create)]`: authenticate on `/v1`
    (API key or signed-in customer user), then ask the policy."""

    async def policy_dependency(principal: PrincipalDep) -> Principal:
        key_scope(principal, check)
        check(principal)
        return principal

    policy_dependency.policy = check  # type: ignore[attr-defined]
    return Depends(policy_dependency)


def authorize_worker(check: WorkerCheck) -> Any:
    """`person: Annotated[Person, authorize_worker(WorkPolicy.next)]`: a Bearer-token person."""

    async def worker_policy_dependency(person: PersonDep) -> Person:
        check(person)
        return person

    worker_policy_dependency.policy = check  # type: ignore[attr-defined]
    return Depends(worker_policy_dependency)


def _public() -> None:
    """No credentials needed (health, login, invite acceptance, the API documentation)."""


_public.policy = "public"  # type: ignore[attr-defined]
PUBLIC = Depends(_public)


def policy_of(dependency: Any) -> Any:
    """The policy a dependency callable carries, if any (used by the route audit and OpenAPI)."""
    return getattr(dependency, "policy", None)
