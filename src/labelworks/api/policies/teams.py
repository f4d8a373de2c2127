"""Who may touch the org's team (`/v1/teams`)."""

from __future__ import annotations

from labelworks.api.policies.base import at_least
from labelworks.services.scope import Principal


class TeamPolicy:
    @staticmethod
    def read(principal: Principal) -> None:
        at_least(principal, "member", "listing the team")

    @staticmethod
    def invite(principal: Principal) -> None:
        at_least(principal, "admin", "inviting teammates")

    @staticmethod
    def set_role(principal: Principal) -> None:
        at_least(principal, "admin", "changing teammates' roles")
