"""`labelworks aggregate` and `labelworks agreement` (filled in by the quality engine work)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    return None
