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
def org_create(name: str) -> None:
    """Create an organisation; its new API key is printed alone on the last line."""
    from labelworks.services import orgs

    with cli_errors():
        db = open_database()
        with db.write() as session:
            org, key = orgs.create_org(session, name)
        typer.echo(f"created organisation {org.name!r}; API key (shown once):", err=False)
        typer.echo(key)


@org_app.command("callback-secret")
def org_callback_secret(name: str) -> None:
    """Print the secret sent in the `scale-callback-auth` header of the org's callbacks."""
    from labelworks.services import orgs

    with cli_errors(), open_database().read() as session:
        typer.echo(orgs.get_org(session, name).callback_secret)


@key_app.command("create")
def key_create(
    org: OrgOpt,
    test: Annotated[
        bool, typer.Option("--test", help="A test_… key: tasks complete at once, no annotators.")
    ] = False,
) -> None:
    """Create another API key; printed alone on the last line."""
    from labelworks.services import orgs

    with cli_errors():
        with open_database().write() as session:
            key = orgs.create_key(session, orgs.get_org(session, org), test=test)
        typer.echo(key)


@key_app.command("list")
def key_list(org: OrgOpt) -> None:
    """List keys by prefix (the keys themselves are never stored)."""
    from rich.console import Console
    from rich.table import Table

    from labelworks.services import orgs

    with cli_errors(), open_database().read() as session:
        keys = orgs.list_keys(session, orgs.get_org(session, org))
    table = Table("prefix", "created", "status")
    for k in keys:
        status = "revoked" if k.revoked else "test" if k.is_test else "live"
        table.add_row(k.prefix + "…", k.created_at, status)
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
) -> None:
    """Create a user who logs in with EMAIL and a password."""
    from labelworks.services import orgs, users

    if password is None:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    with cli_errors():
        with open_database().write() as session:
            org_row = orgs.get_org(session, org) if org else None
            user = users.create_user(session, email, role, password, org_row)
        typer.echo(f"created {user.role} {user.email}")
