"""`labelworks serve`: migrate, optionally seed the demo, then run uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port (1-65535)", min=1, max=65535)] = 8080,
    workers: Annotated[int, typer.Option(help="server processes")] = 1,
    demo: Annotated[
        bool, typer.Option(help="seed a demo org, projects, tasks, annotators")
    ] = False,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
) -> None:
    """Migrate the database to head, then serve the API (and the demo workspace with --demo)."""
    import uvicorn

    from labelworks.commands.common import cli_errors, open_database
    from labelworks.services.instance import SERVED_URL, set_value

    public = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    with cli_errors():
        db = open_database()
        if db.settings.allow_private_urls:
            # The SSRF guard is off only when the operator says so, and then loudly.
            typer.echo(
                "WARNING: LABELWORKS_ALLOW_PRIVATE_URLS is set: URL imports and callbacks may "
                "reach loopback and private addresses (the SSRF guard is OFF)",
                err=True,
            )
        # Where this server is reached, for commands that print links (`user invite-link`).
        set_value(db, SERVED_URL, db.settings.public_url or public)
        if demo:
            from labelworks.demo.seed import seed_demo

            summary = seed_demo(db, public)
            for line in summary:
                typer.echo(line)
        db.engine.dispose()
    typer.echo(f"Labelworks listening on http://{host}:{port}", err=True)
    uvicorn.run(
        "labelworks.api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,
    )
