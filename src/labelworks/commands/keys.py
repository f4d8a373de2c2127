"""`labelworks keys …` and `labelworks org delete`: encryption keys and crypto-shredding."""

from __future__ import annotations

import base64
import os
from typing import Annotated

import typer

from labelworks.commands.common import cli_errors, open_database

keys_app = typer.Typer(
    rich_markup_mode=None,
    help="Encryption keys: per-org data keys and the master key that wraps them.",
    no_args_is_help=True,
)


def register(app: typer.Typer, org_app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
    org_app.command("delete")(org_delete)


@keys_app.command("rotate")
def keys_rotate(
    org: Annotated[str, typer.Option("--org", help="organisation name")],
    reencrypt: Annotated[
        bool,
        typer.Option("--reencrypt", help="also re-seal the org's rows and media under the new key"),
    ] = False,
) -> None:
    """Give the org a new data key for new writes; older keys still decrypt older rows."""
    from labelworks.services import org_keys

    with cli_errors():
        db = open_database()
        key_id = org_keys.rotate(db, org)
        typer.echo(f"new data key {key_id} for {org!r}")
        if reencrypt:
            counts: dict[str, int] = {}

            def progress(table: str, n: int) -> None:
                counts[table] = counts.get(table, 0) + n
                typer.echo(f"re-sealed {counts[table]} {table}", err=True)

            total = org_keys.reencrypt(db, org, progress)
            typer.echo(f"re-sealed {total} rows under key {key_id}")


@keys_app.command("rotate-master")
def keys_rotate_master() -> None:
    """Rewrap every org key under a new master key. With a key file it is replaced; with
    LABELWORKS_MASTER_KEY the new key is printed (set it, then restart every process)."""
    from labelworks.db.keyring import write_master_key_file
    from labelworks.services import org_keys

    with cli_errors():
        db = open_database()
        new = os.urandom(32)
        path = db.settings.data_dir / "master.key"
        staged = path.with_suffix(".next")
        if not db.settings.master_key:
            write_master_key_file(staged, new)  # kept until the rewrap commits
        n = org_keys.rotate_master(db, new)
        if db.settings.master_key:
            typer.echo(f"rewrapped {n} keys; the new LABELWORKS_MASTER_KEY:")
            typer.echo(base64.b64encode(new).decode())
        else:
            os.replace(staged, path)
            typer.echo(f"rewrapped {n} keys; new master key in {path}")


def org_delete(
    name: str,
    yes: Annotated[bool, typer.Option("--yes", help="confirm: this cannot be undone")] = False,
) -> None:
    """Delete an organisation: destroy its keys (its data, backups included, becomes
    unreadable), then its rows and media; its API keys stop working."""
    from labelworks.services import org_keys

    if not yes:
        typer.echo("refusing without --yes: this destroys the organisation's data", err=True)
        raise typer.Exit(2)
    with cli_errors():
        gone = org_keys.delete_org(open_database(), name)
    typer.echo(f"deleted {name!r}: {gone.tasks} tasks, {gone.keys} keys destroyed")
