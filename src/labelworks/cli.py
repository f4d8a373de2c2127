"""The `labelworks` command. Command modules import heavy things (ORM, web stack, numpy) inside
the command functions, so `labelworks --help` stays fast."""

from __future__ import annotations

import typer

from labelworks.commands import (
    admin,
    confidentiality,
    keys,
    quality,
    serve,
    trail,
    transfer,
    worker,
    workforce,
)

app = typer.Typer(
    # Plain click help: rendering help with Rich would import it on every `--help`.
    rich_markup_mode=None,
    name="labelworks",
    help="Labelworks: self-hosted data labeling with a Scale-compatible API.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
serve.register(app)
admin.register(app)
keys.register(app, admin.org_app)
quality.register(app)
worker.register(app)
workforce.register(app)
transfer.register(app)
confidentiality.register(app)

trail.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
