"""Who may use the worker API (`/work`): labelling and reviewing.

Any signed-in person may ask; which stage a person may take (annotators label, reviewers and
admins also review) and which projects they see is decided per request by the queue's eligibility
rules (`services/work/eligibility.py`), which know the project's settings and the team.
"""

from __future__ import annotations

from labelworks.services.auth import Person


class WorkPolicy:
    @staticmethod
    def next(person: Person) -> None:
        """Take the next label or review assignment (stage checked by eligibility)."""

    @staticmethod
    def act(person: Person) -> None:
        """Submit, skip or heartbeat an assignment: the service checks it is the person's own."""

    @staticmethod
    def me(person: Person) -> None:
        """Read one's own numbers."""

    @staticmethod
    def media(person: Person) -> None:
        """Read a task's media: the service checks a lease in the file's org."""


class AccountPolicy:
    @staticmethod
    def me(person: Person) -> None:
        """Read one's own account (`/auth/me`)."""
