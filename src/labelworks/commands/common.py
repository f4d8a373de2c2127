"""Helpers shared by CLI commands: open the database, turn domain errors into exit code 2."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

import typer

if TYPE_CHECKING:
    from labelworks.db.database import Database

T = TypeVar("T")


def open_database() -> Database:
    from labelworks.db.database import Database
    from labelworks.settings import get_settings

    return Database.open(get_settings())


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
