"""`labelworks export` and `labelworks import`: a project's tasks to and from ML data files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from labelworks.commands.common import cli_errors, fail, open_database

if TYPE_CHECKING:
    from rich.progress import Progress

OrgOpt = Annotated[str, typer.Option("--org", help="organisation name")]
ProjectOpt = Annotated[str, typer.Option("--project", help="project name")]
BatchOpt = Annotated[str | None, typer.Option("--batch", help="only this batch / into this batch")]
SHOWN_ERRORS = 20


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
    app.command("import")(import_command)


def _progress() -> Progress:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        transient=False,
    )


def export_command(
    org: OrgOpt,
    project: ProjectOpt,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="coco, yolo, voc, jsonl, csv, sft, dpo, hf, label-studio, conll"
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="file to write")],
    batch: BatchOpt = None,
    include_pending: Annotated[
        bool, typer.Option("--all", help="jsonl: every task, not only completed ones")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="replace an existing file")] = False,
) -> None:
    """Export a project's (completed) tasks in an ML data format, streamed to a file. Task
    content: needs an active break-glass grant for the org (`labelworks breakglass`)."""
    from labelworks.services import breakglass, exports
    from labelworks.services.orgs import get_org
    from labelworks.services.scope import Principal

    _check_output(output, force)
    with cli_errors():
        db = open_database()
        with db.read() as session:
            org_row = get_org(session, org)
            grant = breakglass.require_grant(session, None, org_row)
            principal = Principal(org_row.id, org_row.name)
            export = exports.open_export(
                session, db, principal, project, fmt, batch, include_pending
            )
            objects = [project] if batch is None else [project, batch]
            breakglass.record_use(session, grant, "export.read", objects, object_type="project")
        total = export.count()
        partial = output.with_name(output.name + ".partial")
        try:
            with _progress() as progress, partial.open("wb") as out:
                bar = progress.add_task(f"export {fmt}", total=total)
                export.progress = lambda n: progress.advance(bar, n)
                for piece in exports.stream(export):
                    out.write(piece)
            partial.replace(output)  # a failed export leaves no truncated file under the real name
        except OSError as exc:
            raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
        finally:
            partial.unlink(missing_ok=True)
    typer.echo(f"exported {total} task(s) to {output}")


def _check_output(output: Path, force: bool) -> None:
    """Refuse, in one line, an output the export could not (or should not) replace."""
    if output.is_dir():
        raise fail(f"--output {output} is a folder; give a file name")
    if not output.parent.is_dir():
        raise fail(f"--output {output}: folder {output.parent} does not exist")
    if output.exists() and not force:
        raise fail(f"--output {output} already exists (--force replaces it)")


def import_command(
    path: Annotated[
        Path,
        typer.Argument(
            help="CSV, JSONL, Label Studio JSON or COCO JSON file", exists=True, dir_okay=False
        ),
    ],
    org: OrgOpt,
    project: ProjectOpt,
    batch: BatchOpt = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="csv, jsonl, label-studio, coco (default: from the file)"
        ),
    ] = None,
    partial: Annotated[
        bool,
        typer.Option(
            "--partial", help="keep the good rows when some are rejected (default: all or nothing)"
        ),
    ] = False,
) -> None:
    """Create tasks from a file; each row is validated like an API call. Exit code 2 when rows
    are rejected (and, without --partial, nothing is imported)."""
    from labelworks.services import imports
    from labelworks.services.orgs import get_org
    from labelworks.services.scope import Principal

    with cli_errors():
        db = open_database()
        with db.read() as session:
            org_row = get_org(session, org)
            principal = Principal(org_row.id, org_row.name)
        source = imports.open_source(path, fmt)
        with _progress() as progress:
            bar = progress.add_task(f"import {source.format}", total=source.total)
            report = imports.import_tasks(
                db,
                principal,
                project,
                batch,
                source,
                partial=partial,
                progress=lambda n: progress.advance(bar, n),
            )
    for where, message in report.errors[:SHOWN_ERRORS]:
        typer.echo(f"{where}: {message}", err=True)
    if report.rejected > SHOWN_ERRORS:
        typer.echo(f"... and {report.rejected - SHOWN_ERRORS} more rejected row(s)", err=True)
    if report.rejected and not partial:
        typer.echo(
            f"error: {report.rejected} row(s) rejected; nothing imported "
            "(--partial keeps the good rows)",
            err=True,
        )
        raise typer.Exit(2)
    typer.echo(
        f"imported {report.imported} task(s) into {project}"
        + (f"; {report.rejected} row(s) rejected" if report.rejected else "")
    )
