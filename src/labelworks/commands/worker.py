"""`labelworks worker`: the callback delivery worker as its own process (delivery work)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    return None
