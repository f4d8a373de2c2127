"""Who may open the web pages (cookie session). Signed-out visitors are sent to sign in; a
signed-in person the policy refuses gets the 403 page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request

from labelworks.api.deps import DbDep
from labelworks.errors import Forbidden
from labelworks.services.auth import Person
from labelworks.services.work.eligibility import REVIEW_ROLES


class PagePolicy:
    @staticmethod
    def workspace(person: Person) -> None:
        if person.role == "customer":
            raise Forbidden("the labelling workspace is for annotators and reviewers")

    @staticmethod
    def review(person: Person) -> None:
        if person.role not in REVIEW_ROLES:
            raise Forbidden("reviewing needs the reviewer or admin role")

    @staticmethod
    def me(person: Person) -> None:
        """Anyone signed in sees their own numbers."""

    @staticmethod
    def projects(person: Person) -> None:
        """Anyone signed in; the page lists only the person's own org's projects."""

    @staticmethod
    def customer(person: Person) -> None:
        """The customer web (dashboard, quality, tasks, org settings): customer users only; what
        each may do there is then asked of the API's policies with their team role."""
        if person.role != "customer" or person.org_id is None:
            raise Forbidden("this page is for a customer organisation's users")

    @staticmethod
    def operator(person: Person) -> None:
        """The operator console: the platform's admins."""
        if person.role != "admin":
            raise Forbidden("the operator console needs the admin role")


@dataclass(frozen=True)
class PageVisit:
    """A signed-in visitor, their session token, and whether the page's policy allows them."""

    person: Person
    token: str
    refused: str | None


def authorize_page(check: Callable[[Person], None]) -> Any:
    """`visit: Annotated[PageVisit | None, authorize_page(PagePolicy.review)]` (None: signed out)."""

    async def page_policy_dependency(request: Request, db: DbDep) -> PageVisit | None:
        from labelworks.web.session import cookie_person

        found = await cookie_person(request, db)
        if found is None:
            return None
        person, token = found
        try:
            check(person)
        except Forbidden as exc:
            return PageVisit(person, token, exc.message)
        return PageVisit(person, token, None)

    page_policy_dependency.policy = check  # type: ignore[attr-defined]
    return Depends(page_policy_dependency)
