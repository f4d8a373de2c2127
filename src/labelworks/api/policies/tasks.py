"""Who may touch tasks (`/v1/task`, `/v1/tasks`, evaluation and training tasks)."""

from __future__ import annotations

from labelworks.api.policies.base import at_least
from labelworks.services.scope import Principal


class TaskPolicy:
    @staticmethod
    def read(principal: Principal) -> None:
        at_least(principal, "member", "reading tasks")

    @staticmethod
    def create(principal: Principal) -> None:
        at_least(principal, "manager", "creating tasks")

    @staticmethod
    def update(principal: Principal) -> None:
        at_least(principal, "manager", "changing a task")

    @staticmethod
    def cancel(principal: Principal) -> None:
        at_least(principal, "manager", "cancelling a task")

    @staticmethod
    def audit(principal: Principal) -> None:
        at_least(principal, "manager", "auditing a task")
