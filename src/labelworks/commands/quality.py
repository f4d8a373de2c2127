"""`labelworks aggregate` and `labelworks agreement`: the quality engine on CSV files.

numpy/scipy are imported inside the commands so `labelworks --help` stays fast; nothing here
imports pandas, SQLAlchemy or FastAPI.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer

METHOD_NAMES = ("mv", "wawa", "zbs", "ds", "onecoin", "glad", "mace")
ANSWER_COLUMNS = (("task", "worker", "label"), ("question", "worker", "answer"))
TRUTH_COLUMNS = (("task", "label"), ("question", "truth"))


class InputError(Exception):
    """Bad input file; the message names the problem in one line."""


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def read_columns(path: Path, accepted: tuple[tuple[str, ...], ...]) -> list[list[str]]:
    """Columns of a CSV whose header holds one of the accepted column-name sets."""
    try:
        f = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    with f:
        reader = csv.reader(f)
        header = next(reader, None)
        if not header:
            raise InputError(f"{path} is empty")
        names = [h.strip() for h in header]
        for cols in accepted:
            if all(c in names for c in cols):
                idx = [names.index(c) for c in cols]
                break
        else:
            wanted = " or ".join(",".join(c) for c in accepted)
            missing = [c for c in accepted[0] if c not in names]
            raise InputError(
                f"{path} is missing column(s) {','.join(missing)} (expected header {wanted})"
            )
        out: list[list[str]] = [[] for _ in idx]
        width = max(idx) + 1
        for lineno, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) < width:
                raise InputError(
                    f"{path} line {lineno} has {len(row)} field(s), expected at least {width}"
                )
            for col, i in zip(out, idx, strict=True):
                col.append(row[i])
    if not out[0]:
        raise InputError(f"{path} has a header but no rows")
    return out


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
    if method not in METHOD_NAMES:
        raise _fail(f"unknown method {method!r}; choose one of {', '.join(METHOD_NAMES)}")
    try:
        tasks, workers, labels = read_columns(answers, ANSWER_COLUMNS)
        gold_map = dict(zip(*read_columns(gold, TRUTH_COLUMNS), strict=True)) if gold else None
        truth_map = dict(zip(*read_columns(truth, TRUTH_COLUMNS), strict=True)) if truth else None
    except InputError as exc:
        raise _fail(str(exc)) from None

    from labelworks.quality.aggregate import aggregate

    result = aggregate(tasks, workers, labels, method=method, gold=gold_map)
    out = output.open("w", newline="", encoding="utf-8") if output else sys.stdout
    try:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["task", "label", "confidence"])
        writer.writerows((t, lab, f"{conf:.6f}") for t, (lab, conf) in result.items())
    finally:
        if output:
            out.close()
        else:
            out.flush()
    if truth_map is not None:
        scored = [t for t in truth_map if t in result]
        acc = sum(result[t][0] == truth_map[t] for t in scored) / len(scored) if scored else 0.0
        typer.echo(f"accuracy: {acc:.4f}", err=True)


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
