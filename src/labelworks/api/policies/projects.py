"""Who may touch projects."""

from __future__ import annotations

from labelworks.api.policies.base import at_least
from labelworks.errors import Forbidden
from labelworks.services.scope import Principal


class ProjectPolicy:
    @staticmethod
    def read(principal: Principal) -> None:
        at_least(principal, "member", "reading projects")

    @staticmethod
    def create(principal: Principal) -> None:
        at_least(principal, "manager", "creating projects")
        if principal.projects is not None:
            raise Forbidden("this API key is limited to named projects; it cannot create one")

    @staticmethod
    def update(principal: Principal) -> None:
        at_least(principal, "manager", "changing a project's parameters")
