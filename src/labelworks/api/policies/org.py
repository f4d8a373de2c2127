"""Who may touch the org itself: API keys and the callback secret."""

from __future__ import annotations

from labelworks.api.policies.base import at_least
from labelworks.services.scope import Principal


class OrgPolicy:
    @staticmethod
    def read_secret(principal: Principal) -> None:
        at_least(principal, "admin", "reading the callback secret")

    @staticmethod
    def manage_keys(principal: Principal) -> None:
        at_least(principal, "admin", "managing API keys")

    @staticmethod
    def read_access_log(principal: Principal) -> None:
        at_least(principal, "admin", "reading the access log")
