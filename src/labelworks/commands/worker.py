"""`labelworks worker`: the callback delivery worker as its own process."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)


def worker(
    concurrency: Annotated[
        int | None,
        typer.Option(help="callbacks in flight at once [default: LABELWORKS_DELIVERY_CONCURRENCY]"),
    ] = None,
) -> None:
    """Deliver task and batch callbacks in the foreground until SIGTERM or Ctrl-C.

    Runs beside `labelworks serve` (whose own delivery thread can be turned off with
    LABELWORKS_DELIVERY_IN_SERVER=0); any number of workers may share one database.
    """
    import logging
    import signal
    import threading

    from labelworks.commands.common import cli_errors, open_database
    from labelworks.services.delivery.worker import DeliveryWorker

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Signal handlers only set a flag; the main thread passes it on. Handlers installed first,
    # so a SIGTERM during start-up is still a clean exit.
    stop_requested: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda signum, _: stop_requested.append(signum))
    with cli_errors():
        db = open_database()
    delivery = DeliveryWorker(db, concurrency=concurrency)
    thread = threading.Thread(target=delivery.run, name="labelworks-delivery")
    thread.start()
    while thread.is_alive():
        if stop_requested and not delivery.stopping:
            delivery.stop()
        thread.join(0.2)
    db.engine.dispose()
