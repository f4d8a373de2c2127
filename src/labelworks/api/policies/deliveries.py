"""Who may touch the callback delivery log."""

from __future__ import annotations

from labelworks.api.policies.base import at_least
from labelworks.services.scope import Principal


class DeliveryPolicy:
    @staticmethod
    def read(principal: Principal) -> None:
        at_least(principal, "member", "reading the delivery log")

    @staticmethod
    def redeliver(principal: Principal) -> None:
        at_least(principal, "manager", "redelivering a callback")
