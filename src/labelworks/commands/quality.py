"""`labelworks aggregate` and `labelworks agreement`: the quality engine on CSV files.

numpy/scipy are imported inside the commands so `labelworks --help` stays fast; nothing here
imports pandas, SQLAlchemy or FastAPI.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from labelworks.commands.answers_csv import (
    InputError,
    accuracy,
    encode_table,
    read_columns,
    read_table,
    write_result,
)

METHOD_NAMES = ("mv", "wawa", "zbs", "ds", "onecoin", "glad", "mace")
ANSWER_COLUMNS = (("task", "worker", "label"), ("question", "worker", "answer"))
TRUTH_COLUMNS = (("task", "label"), ("question", "truth"))


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def single_threaded_blas() -> None:
    """One BLAS thread unless the user says otherwise (set before numpy loads). The EM does
    vector-sized products; on a busy 2-core machine a threaded `np.dot` of 50k floats measured
    8.5 ms against 0.07 ms single-threaded, which made GLAD's conjugate-gradient steps crawl."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")


def aggregate_command(
    answers: Annotated[
        Path, typer.Argument(help="CSV with header task,worker,label (or question,worker,answer).")
    ],
    method: Annotated[
        str, typer.Option("--method", "-m", help="mv|wawa|zbs|ds|onecoin|glad|mace")
    ] = "ds",
    gold: Annotated[
        Path | None, typer.Option("--gold", help="CSV task,label of known answers, kept fixed.")
    ] = None,
    truth: Annotated[
        Path | None, typer.Option("--truth", help="CSV task,label; prints accuracy on stderr.")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write task,label,confidence here (default stdout)."),
    ] = None,
) -> None:
    """Infer each task's label from crowd answers; writes task,label,confidence."""
    single_threaded_blas()
    if method not in METHOD_NAMES:
        raise _fail(f"unknown method {method!r}; choose one of {', '.join(METHOD_NAMES)}")
    try:
        columns = read_table(answers, ANSWER_COLUMNS)
        gold_map = dict(zip(*read_columns(gold, TRUTH_COLUMNS), strict=True)) if gold else None
        truth_columns = read_table(truth, TRUTH_COLUMNS) if truth else None
    except InputError as exc:
        raise _fail(str(exc)) from None

    from labelworks.quality.aggregate import make_estimator

    enc, task_ids = encode_table(columns, gold_map)
    est = make_estimator(method).fit_encoded(enc)
    write_result(est, task_ids, output)
    if truth_columns is not None:
        typer.echo(f"accuracy: {accuracy(est, task_ids, truth_columns):.4f}", err=True)


def agreement_command(
    answers: Annotated[
        Path, typer.Argument(help="CSV with header task,worker,label (or question,worker,answer).")
    ],
    metric: Annotated[
        str, typer.Option("--metric", help="alpha (Krippendorff, nominal) | fleiss")
    ] = "alpha",
) -> None:
    """Print inter-annotator agreement of the answers."""
    if metric not in ("alpha", "fleiss"):
        raise _fail(f"unknown metric {metric!r}; choose alpha or fleiss")
    try:
        tasks, _workers, labels = read_columns(answers, ANSWER_COLUMNS)
    except InputError as exc:
        raise _fail(str(exc)) from None

    from labelworks.quality.agreement import fleiss_kappa, krippendorff_alpha

    try:
        value = (
            krippendorff_alpha(tasks, labels) if metric == "alpha" else fleiss_kappa(tasks, labels)
        )
    except ValueError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"{value:.6f}")


def register(app: typer.Typer) -> None:
    app.command("aggregate")(aggregate_command)
    app.command("agreement")(agreement_command)
