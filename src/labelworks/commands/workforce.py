"""Operator commands for the workforce (filled in by the workforce people/studio work)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    return None
