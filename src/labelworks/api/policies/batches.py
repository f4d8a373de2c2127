"""Who may touch batches."""

from __future__ import annotations

from labelworks.api.policies.base import at_least
from labelworks.services.scope import Principal


class BatchPolicy:
    @staticmethod
    def read(principal: Principal) -> None:
        at_least(principal, "member", "reading batches")

    @staticmethod
    def create(principal: Principal) -> None:
        at_least(principal, "manager", "creating batches")

    @staticmethod
    def update(principal: Principal) -> None:
        at_least(principal, "manager", "changing a batch")

    @staticmethod
    def finalize(principal: Principal) -> None:
        at_least(principal, "manager", "finalizing a batch")
