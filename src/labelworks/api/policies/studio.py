"""Who may touch Studio assignments, project groups and batch priorities."""

from __future__ import annotations

from labelworks.api.policies.base import at_least
from labelworks.services.scope import Principal


class StudioPolicy:
    @staticmethod
    def read(principal: Principal) -> None:
        at_least(principal, "member", "reading Studio settings")

    @staticmethod
    def update(principal: Principal) -> None:
        at_least(principal, "manager", "changing Studio settings")
