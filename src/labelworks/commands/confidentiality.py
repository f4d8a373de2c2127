"""`labelworks conflicts …` and `labelworks breakglass`: conflict walls between competing
orgs, and an operator's recorded, time-limited access to one org's content."""

from __future__ import annotations

from typing import Annotated

import typer

from labelworks.commands.common import cli_errors, open_database

conflicts_app = typer.Typer(
    rich_markup_mode=None,
    help="Conflict walls: nobody works for two walled orgs within the wall's window.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(conflicts_app, name="conflicts")
    app.command("breakglass")(breakglass_command)


@conflicts_app.command("add")
def conflicts_add(
    org_a: str,
    org_b: str,
    days: Annotated[int, typer.Option(help="cooling-off window in days")] = 30,
) -> None:
    """Wall ORG_A and ORG_B off from each other (symmetric)."""
    from labelworks.services import orgs, walls

    with cli_errors(), open_database().write() as session:
        walls.add_wall(session, orgs.get_org(session, org_a), orgs.get_org(session, org_b), days)
    typer.echo(f"walled {org_a!r} and {org_b!r} for {days} day(s)")


@conflicts_app.command("list")
def conflicts_list() -> None:
    """List walls: both orgs, the window, who set it (operator, or a customer's request)."""
    from rich.console import Console
    from rich.table import Table

    from labelworks.services import walls

    with cli_errors(), open_database().read() as session:
        rows = walls.list_walls(session)
    table = Table("org", "org", "days", "source", "since")
    for w in rows:
        table.add_row(w.org_a, w.org_b, str(w.days), w.source, w.created_at.strftime("%Y-%m-%d"))
    Console().print(table)


@conflicts_app.command("remove")
def conflicts_remove(org_a: str, org_b: str) -> None:
    """Remove the wall between ORG_A and ORG_B."""
    from labelworks.services import orgs, walls

    with cli_errors(), open_database().write() as session:
        walls.remove_wall(session, orgs.get_org(session, org_a), orgs.get_org(session, org_b))
    typer.echo(f"removed the wall between {org_a!r} and {org_b!r}")


def breakglass_command(
    org: Annotated[str, typer.Option("--org", help="organisation name")],
    reason: Annotated[str, typer.Option(help="why (shown to the customer)")],
    minutes: Annotated[int, typer.Option(help="how long the grant lasts")] = 30,
    operator: Annotated[
        str | None,
        typer.Option(help="admin's email (web access); without it, for this command line"),
    ] = None,
) -> None:
    """Grant time-limited access to ORG's task content, recorded and shown to the customer."""
    from labelworks.db.types import iso
    from labelworks.services import breakglass, orgs

    with cli_errors(), open_database().write() as session:
        row = breakglass.grant(session, orgs.get_org(session, org), reason, minutes, operator)
        who, until = row.operator, iso(row.expires_at)
    typer.echo(f"break-glass for {who} on {org!r} until {until}; the customer sees it")
