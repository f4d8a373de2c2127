"""`labelworks org|key|user ...`: operator commands that act on the database directly."""

from __future__ import annotations

from typing import Annotated

import typer

from labelworks.commands.common import cli_errors, open_database

org_app = typer.Typer(
    rich_markup_mode=None, help="Organisations (customers).", no_args_is_help=True
)
key_app = typer.Typer(
    rich_markup_mode=None, help="API keys of an organisation.", no_args_is_help=True
)
user_app = typer.Typer(
    rich_markup_mode=None,
    help="People who log in (annotators, reviewers, admins, customers).",
    no_args_is_help=True,
)

OrgOpt = Annotated[str, typer.Option("--org", help="organisation name")]


def register(app: typer.Typer) -> None:
    app.add_typer(org_app, name="org")
    app.add_typer(key_app, name="key")
    app.add_typer(user_app, name="user")


@org_app.command("create")
def org_create(
    name: str,
    owner: Annotated[
        str | None,
        typer.Option(help="owner's email: an admin on the org's team (a customer user if new)"),
    ] = None,
) -> None:
    """Create an organisation; its new API key is printed alone on the last line."""
    from labelworks.services import orgs, teams

    with cli_errors():
        db = open_database()
        with db.write() as session:
            org, key = orgs.create_org(session, name)
            if owner is not None:
                teams.add_owner(session, org, owner)
        if owner is not None:
            typer.echo(f"owner {owner.strip().lower()} is an admin on the team")
        typer.echo(f"created organisation {org.name!r}; API key (shown once):", err=False)
        typer.echo(key)


@org_app.command("list")
def org_list() -> None:
    """List organisations: projects, live API keys, people."""
    from rich.console import Console
    from rich.table import Table

    from labelworks.services import operator_views

    with cli_errors(), open_database().read() as session:
        rows = operator_views.list_orgs(session)
    table = Table("name", "projects", "live keys", "people", "created")
    for r in rows:
        table.add_row(r.name, str(r.projects), str(r.live_keys), str(r.people), _day(r.created_at))
    Console().print(table)


def _day(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else str(value)


@org_app.command("callback-secret")
def org_callback_secret(name: str) -> None:
    """Print the secret sent in the `scale-callback-auth` header of the org's callbacks."""
    from labelworks.services import orgs

    with cli_errors(), open_database().read() as session:
        typer.echo(orgs.get_org(session, name).callback_secret)


@org_app.command("rotate-callback-secret")
def org_rotate_callback_secret(name: str) -> None:
    """Replace the callback secret (callbacks sent from now on carry the new one); printed."""
    from labelworks.services import orgs

    with cli_errors(), open_database().write() as session:
        secret = orgs.rotate_callback_secret(orgs.get_org(session, name))
    typer.echo(secret)


@key_app.command("create")
def key_create(
    org: OrgOpt,
    test: Annotated[
        bool, typer.Option("--test", help="A test_… key: tasks complete at once, no annotators.")
    ] = False,
    read_only: Annotated[
        bool, typer.Option("--read-only", help="refused every write (403)")
    ] = False,
    projects: Annotated[
        str | None,
        typer.Option(help="comma list: the only projects the key sees (others are 404)"),
    ] = None,
) -> None:
    """Create another API key; printed alone on the last line."""
    from labelworks.services import orgs

    names = projects.split(",") if projects is not None else None
    with cli_errors():
        with open_database().write() as session:
            key = orgs.create_key(
                session, orgs.get_org(session, org), test=test, read_only=read_only, projects=names
            )
        typer.echo(key)


@key_app.command("list")
def key_list(org: OrgOpt) -> None:
    """List keys by prefix (the keys themselves are never stored)."""
    from rich.console import Console
    from rich.table import Table

    from labelworks.services import orgs

    with cli_errors(), open_database().read() as session:
        keys = orgs.list_keys(session, orgs.get_org(session, org))
    table = Table("prefix", "created", "status", "scope")
    for k in keys:
        status = "revoked" if k.revoked else "test" if k.is_test else "live"
        scope = ("read-only " if k.read_only else "") + (
            "projects: " + ",".join(k.projects) if k.projects is not None else "all projects"
        )
        table.add_row(k.prefix + "…", k.created_at[:16].replace("T", " "), status, scope)
    Console().print(table)


@key_app.command("revoke")
def key_revoke(prefix: str, org: OrgOpt) -> None:
    """Revoke the key(s) starting with PREFIX."""
    from labelworks.services import orgs

    with cli_errors(), open_database().write() as session:
        n = orgs.revoke_key(session, orgs.get_org(session, org), prefix)
    typer.echo(f"revoked {n} key(s)")


@user_app.command("create")
def user_create(
    email: str,
    role: Annotated[str, typer.Option(help="customer|annotator|reviewer|admin")],
    org: Annotated[str | None, typer.Option("--org")] = None,
    password: Annotated[str | None, typer.Option(help="prompted when absent")] = None,
    team_role: Annotated[
        str | None,
        typer.Option(
            "--team-role",
            help="customers: member (or viewer: read only), manager or admin; default member",
        ),
    ] = None,
) -> None:
    """Create a user who logs in with EMAIL and a password. With --org, the person is bound to
    that org and works on its team pool (projects whose `pools` include `team`); a customer is
    put on the org's team (active, --team-role) and signs in to its dashboard."""
    from labelworks.errors import InvalidRequest
    from labelworks.services import orgs, teams, users

    with cli_errors():
        if team_role is not None and role != "customer":
            raise InvalidRequest("only customer users take a team role here", "team_role")
        chosen = teams.team_role(team_role or "member")
        if chosen == "labeler":
            raise InvalidRequest("a customer is a member, manager or admin", "team_role")
        if password is None:
            password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
        with open_database().write() as session:
            org_row = orgs.get_org(session, org) if org else None
            user = users.create_user(session, email, role, password, org_row)
            if role == "customer" and org_row is not None:
                teams.join_team(session, org_row, user, chosen)
        suffix = f" (team role {chosen} in {org!r})" if role == "customer" else ""
        typer.echo(f"created {user.role} {user.email}{suffix}")


@user_app.command("list")
def user_list(
    org: Annotated[str | None, typer.Option("--org", help="only this org's people")] = None,
) -> None:
    """List people: role, the org they were created for, the teams they are on."""
    from rich.console import Console
    from rich.table import Table

    from labelworks.services import operator_views, orgs

    with cli_errors(), open_database().read() as session:
        org_row = orgs.get_org(session, org) if org else None
        rows = operator_views.list_users(session, org_row)
    table = Table("email", "role", "org", "teams", "created")
    for r in rows:
        table.add_row(r.email, r.role, r.org or "", ", ".join(r.teams), _day(r.created_at))
    Console().print(table)
