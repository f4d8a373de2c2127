"""Helpers shared by CLI commands: open the database (saying which one), turn domain errors
into one line and exit code 2."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

import typer

if TYPE_CHECKING:
    from labelworks.db.database import Database

T = TypeVar("T")


def masked_url(url: str) -> str:
    """The database URL with its password hidden."""
    return re.sub(r"(://[^/:@]*:)[^@/]*@", r"\1***@", url)


def open_database() -> Database:
    """Open (and migrate) the configured database; one line on stderr says which one. A URL that
    does not open ends the command with one line naming the reason (exit code 2)."""
    from labelworks.db.database import Database
    from labelworks.settings import get_settings

    settings = get_settings()
    url = masked_url(settings.resolved_database_url)
    typer.echo(f"database: {url}", err=True)
    try:
        return Database.open(settings)
    except Exception as exc:  # wrong scheme, missing driver, unreachable server, bad path
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        typer.echo(
            f"error: cannot open database {url}: {reason[0] if reason else type(exc).__name__}",
            err=True,
        )
        raise typer.Exit(2) from None


def fail(message: str) -> typer.Exit:
    """Print `error: MESSAGE` on stderr; raise the returned Exit (code 2)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@contextmanager
def cli_errors() -> Iterator[None]:
    from labelworks.errors import LabelworksError

    try:
        yield
    except LabelworksError as exc:
        typer.echo(f"error: {exc.error}", err=True)
        raise typer.Exit(2) from None


def run(fn: Callable[[], T]) -> T:
    with cli_errors():
        return fn()
