"""Who may touch uploaded and imported files."""

from __future__ import annotations

from labelworks.api.policies.base import at_least
from labelworks.services.scope import Principal


class FilePolicy:
    @staticmethod
    def read(principal: Principal) -> None:
        at_least(principal, "member", "reading files")

    @staticmethod
    def create(principal: Principal) -> None:
        at_least(principal, "manager", "uploading files")
