"""Who may ask for conflict walls and see operator access (`/v1/conflicts`, `/v1/breakglass`)."""

from __future__ import annotations

from labelworks.api.policies.base import at_least
from labelworks.services.scope import Principal


class WallPolicy:
    @staticmethod
    def read(principal: Principal) -> None:
        # The competitor names are the customer's strategy: admins only.
        at_least(principal, "admin", "reading the conflict-wall requests")

    @staticmethod
    def request(principal: Principal) -> None:
        at_least(principal, "admin", "requesting conflict walls")


class BreakglassPolicy:
    @staticmethod
    def read(principal: Principal) -> None:
        at_least(principal, "member", "reading operator access to the org's data")
