"""What every web page shares: the templates, the security headers, the base context, the 403
page, and the `Principal` a signed-in customer acts as (so pages ask the API's own policies)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from labelworks.api.policies.pages import PageVisit
from labelworks.db.database import Database
from labelworks.errors import Forbidden
from labelworks.services.auth import Person
from labelworks.services.scope import Principal
from labelworks.services.work.eligibility import REVIEW_ROLES
from labelworks.web import session as web_session

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")

# No inline script or style anywhere: every script and stylesheet is a file under /static.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: http: https:; "
    "media-src 'self' blob: http: https:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def page(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def context(db: Database, person: Person, token: str, **extra: Any) -> dict[str, Any]:
    """The base template's needs: who is signed in, the CSRF token, which nav links to show."""
    return {
        "person": person,
        "csrf": web_session.csrf_token(db, token),
        "can_review": person.role in REVIEW_ROLES,
        "team_role": team_role_of(db, person),
        **extra,
    }


def team_role_of(db: Database, person: Person) -> str | None:
    """A customer's team role in their org (None for anyone else, or off the team)."""
    if person.role != "customer" or person.org_id is None:
        return None
    from sqlalchemy import select

    from labelworks.db.tables import TeamMember

    with db.read() as session:
        return session.scalar(
            select(TeamMember.team_role).where(
                TeamMember.org_id == person.org_id, TeamMember.user_id == person.user_id
            )
        )


def refused(
    request: Request, db: Database, visit: PageVisit, reason: str | None = None
) -> Response:
    return page(
        request,
        "forbidden.html",
        context(db, visit.person, visit.token, reason=reason or visit.refused),
        403,
    )


def gate(request: Request, db: Database, visit: PageVisit | None) -> Response | None:
    """The answer for a visitor a page does not serve: signed out → sign in (back here after),
    refused by the page policy → the 403 page. None: go on."""
    if visit is None:
        from urllib.parse import quote

        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/?next={quote(target)}", status_code=303)
    if visit.refused:
        return refused(request, db, visit)
    return None


def customer_principal(db: Database, visit: PageVisit) -> Principal:
    """The `Principal` a signed-in customer acts as on `/v1` (their org, their team role): pages
    hand it to the same services and ask the same policies as the API. Forbidden if the person
    is not a customer on their org's team."""
    from labelworks.api.deps import user_principal

    return user_principal(db, visit.token)


def check(policy: Any, principal: Principal) -> str | None:
    """Ask an API policy (`TaskPolicy.audit`…); the refusal's reason, or None if allowed."""
    try:
        policy(principal)
    except Forbidden as exc:
        return exc.message
    return None
