"""`labelworks trail verify|head`: the customer's checks of an org's access trail."""

from __future__ import annotations

from typing import Annotated

import typer

from labelworks.commands.common import cli_errors, fail, open_database

trail_app = typer.Typer(
    rich_markup_mode=None,
    help="The access trail: a per-org hash chain of every access to the org's content.",
    no_args_is_help=True,
)
OrgOpt = Annotated[str, typer.Option("--org", help="organisation name")]


def register(app: typer.Typer) -> None:
    app.add_typer(trail_app, name="trail")


@trail_app.command("head")
def head_command(org: OrgOpt) -> None:
    """Print the chain's head as SEQ:HASH: keep it, and later `trail verify --head` proves the
    chain still holds it (a rewritten chain does not)."""
    from labelworks.services import trail
    from labelworks.services.orgs import get_org

    with cli_errors(), open_database().read() as session:
        seq, digest = trail.head(session, get_org(session, org).id)
    typer.echo(f"{seq}:{digest}")


@trail_app.command("verify")
def verify_command(
    org: OrgOpt,
    head: Annotated[
        str | None, typer.Option("--head", help="a head kept earlier (SEQ:HASH from `trail head`)")
    ] = None,
) -> None:
    """Walk the org's chain; exit 1 naming the first broken link (an altered, inserted or
    deleted record), or a kept head the chain no longer holds."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from labelworks.services import trail
    from labelworks.services.orgs import get_org

    kept = None
    if head is not None:
        try:
            kept = trail.parse_head(head)
        except ValueError as exc:
            raise fail(f"--head: {exc}") from None
    with cli_errors():
        db = open_database()
        with (
            db.read() as session,
            Progress(
                TextColumn("verify"),
                BarColumn(),
                MofNCompleteColumn(),
                console=Console(stderr=True),
                transient=True,
            ) as progress,  # fmt: skip
        ):
            org_id = get_org(session, org).id
            bar = progress.add_task("verify", total=trail.head(session, org_id)[0])
            verdict = trail.verify(session, org_id, kept, lambda n: progress.advance(bar, n))
    if not verdict.ok:
        typer.echo(f"BROKEN: {verdict.problem}", err=True)
        raise typer.Exit(1)
    typer.echo(f"ok: {verdict.records} records, head {verdict.head_seq}:{verdict.head_hash}")
