"""Who may touch project exports."""

from __future__ import annotations

from labelworks.api.policies.base import at_least
from labelworks.services.scope import Principal


class ExportPolicy:
    @staticmethod
    def read(principal: Principal) -> None:
        at_least(principal, "member", "exporting a project")
