"""Who may review: `/work/next?stage=review` and the review submissions that follow."""

from __future__ import annotations

from labelworks.errors import Forbidden
from labelworks.services.auth import Person
from labelworks.services.work.eligibility import REVIEW_ROLES


class ReviewPolicy:
    @staticmethod
    def review(person: Person) -> None:
        """Reviewers and admins take review work; annotators label only."""
        if person.role not in REVIEW_ROLES:
            raise Forbidden(f"a {person.role} cannot take review work", "stage")
