"""Operator commands for the workforce: project settings and pay rates, gold tasks, payouts,
invite links. Heavy imports stay inside the commands (fast `labelworks --help`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from labelworks.commands.common import cli_errors, open_database

project_app = typer.Typer(
    rich_markup_mode=None, help="Projects: Labelworks settings and pay rates.", no_args_is_help=True
)
gold_app = typer.Typer(
    rich_markup_mode=None,
    help="Gold (evaluation) tasks mixed into real work.",
    no_args_is_help=True,
)
payouts_app = typer.Typer(
    rich_markup_mode=None, help="What annotators earned.", no_args_is_help=True
)

task_app = typer.Typer(
    rich_markup_mode=None, help="Tasks, as operators see them.", no_args_is_help=True
)

OrgOpt = Annotated[str, typer.Option("--org", help="organisation name")]
POOLS = ("platform", "team")
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8080"


def register(app: typer.Typer) -> None:
    from labelworks.commands.admin import user_app

    app.add_typer(project_app, name="project")
    app.add_typer(gold_app, name="gold")
    app.add_typer(payouts_app, name="payouts")
    app.add_typer(task_app, name="task")
    user_app.command("invite-link")(user_invite_link)


def user_invite_link(email: str) -> None:
    """Print a one-time link (valid 7 days) with which EMAIL sets a password; alone on the last
    line, ending in the token. The base is LABELWORKS_PUBLIC_URL, else the URL the last
    `labelworks serve` on this database listened on."""
    from labelworks.services import invites
    from labelworks.services.instance import SERVED_URL, get_value

    with cli_errors():
        db = open_database()
        with db.write() as session:
            token, expires = invites.create_invite(session, email)
    base = (db.settings.public_url or get_value(db, SERVED_URL) or DEFAULT_PUBLIC_URL).rstrip("/")
    typer.echo(
        f"invite link for {email.strip().lower()} (one use, expires "
        f"{expires.isoformat(timespec='seconds')}); accept with POST /auth/invite/accept:"
    )
    typer.echo(f"{base}/invite/{token}")


@project_app.command("set")
def project_set(
    name: str,
    org: OrgOpt,
    overlap: Annotated[int | None, typer.Option(help="labels per task")] = None,
    review: Annotated[bool | None, typer.Option("--review/--no-review")] = None,
    gold_rate: Annotated[float | None, typer.Option(help="share of gold tasks, 0-1")] = None,
    min_gold_accuracy: Annotated[float | None, typer.Option(help="pause below this, 0-1")] = None,
    adaptive_overlap: Annotated[
        bool | None, typer.Option("--adaptive-overlap/--no-adaptive-overlap")
    ] = None,
    pools: Annotated[str | None, typer.Option(help="comma list of platform,team")] = None,
    require_training: Annotated[
        bool | None, typer.Option("--require-training/--no-require-training")
    ] = None,
    training_pass_rate: Annotated[float | None, typer.Option(help="0-1")] = None,
    rate_per_label: Annotated[float | None, typer.Option(help="pay per accepted label")] = None,
    rate_per_review: Annotated[float | None, typer.Option(help="pay per review")] = None,
    staging: Annotated[
        bool | None,
        typer.Option("--staging/--no-staging", help="new batches wait for finalize"),
    ] = None,
    allow_relabel: Annotated[
        bool | None,
        typer.Option(
            "--allow-relabel-by-same-worker/--no-allow-relabel-by-same-worker",
            help="after a reject, earlier labellers may label the task again",
        ),
    ] = None,
) -> None:
    """Change a project's settings (a new param version) and/or its pay rates."""
    from labelworks.errors import InvalidRequest
    from labelworks.services import orgs, projects
    from labelworks.services.scope import Principal

    settings: dict[str, Any] = {
        k: v
        for k, v in {
            "overlap": overlap,
            "review": review,
            "gold_rate": gold_rate,
            "min_gold_accuracy": min_gold_accuracy,
            "adaptive_overlap": adaptive_overlap,
            "require_training": require_training,
            "training_pass_rate": training_pass_rate,
            "staging": staging,
            "allow_relabel_by_same_worker": allow_relabel,
        }.items()
        if v is not None
    }
    rates = {
        k: v
        for k, v in {"rate_per_label": rate_per_label, "rate_per_review": rate_per_review}.items()
        if v is not None
    }
    with cli_errors():
        if pools is not None:
            settings["pools"] = _pools(pools)
        if not settings and not rates:
            raise InvalidRequest("give at least one setting or rate to change", "options")
        with open_database().write() as session:
            org_row = orgs.get_org(session, org)
            principal = Principal(org_row.id, org_row.name)
            project = (
                projects.set_params(session, principal, name, settings)
                if settings
                else projects.get_project(session, principal, name)
            )
            projects.set_rates(session, project, rate_per_label, rate_per_review)
            version = project.version
            label_rate, review_rate = project.rate_per_label, project.rate_per_review
    changed = ", ".join(f"{k}={v}" for k, v in {**settings, **rates}.items())
    typer.echo(
        f"project {name!r}: {changed} (param version {version}; rates "
        f"{label_rate:g}/label, {review_rate:g}/review)"
    )


@project_app.command("list")
def project_list(
    org: Annotated[str | None, typer.Option("--org", help="only this org's projects")] = None,
) -> None:
    """List projects with their workflow settings and task counts."""
    from rich.console import Console
    from rich.table import Table

    from labelworks.services import operator_views, orgs

    with cli_errors(), open_database().read() as session:
        org_row = orgs.get_org(session, org) if org else None
        rows = operator_views.list_projects(session, org_row)
    table = Table(
        "org", "name", "type", "staged", "pools", "overlap", "review", "relabel", "pending",
        "completed",
    )  # fmt: skip
    for r in rows:
        table.add_row(
            r.org, r.name, r.type, _yes(r.staged), ",".join(r.pools), str(r.overlap),
            _yes(r.review), _yes(r.relabel), str(r.pending), str(r.completed),
        )  # fmt: skip
    Console().print(table)


@task_app.command("stalled")
def task_stalled(org: OrgOpt) -> None:
    """Tasks no eligible person can take (e.g. rejected, and their earlier labellers are the only
    eligible people): add people to the pool or `project set --allow-relabel-by-same-worker`."""
    from rich.console import Console
    from rich.table import Table

    from labelworks.services import operator_views, orgs

    with cli_errors(), open_database().read() as session:
        rows = operator_views.stalled_tasks(session, orgs.get_org(session, org))
    table = Table("task_id", "project", "round", "stalled since")
    for r in rows:
        table.add_row(r.task_id, r.project, str(r.round), r.since.strftime("%Y-%m-%d %H:%M"))
    Console().print(table)
    typer.echo(f"{len(rows)} stalled task(s)", err=True)


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _pools(value: str) -> list[str]:
    from labelworks.errors import InvalidRequest

    chosen = [p.strip() for p in value.split(",") if p.strip()]
    if not chosen or any(p not in POOLS for p in chosen):
        raise InvalidRequest(f"must be a comma list of {', '.join(POOLS)}", "params.pools")
    return list(dict.fromkeys(chosen))


@gold_app.command("add")
def gold_add(
    file: Annotated[
        Path,
        typer.Argument(
            help="JSON lines: task params + expected_response",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    org: OrgOpt,
    project: Annotated[str, typer.Option("--project", help="project name")],
) -> None:
    """Add gold tasks from FILE; all or nothing (a bad line adds none and names the line)."""
    from labelworks.services import orgs, projects
    from labelworks.services.scope import Principal

    lines = file.read_text(encoding="utf-8").splitlines()
    with cli_errors(), open_database().write() as session:
        org_row = orgs.get_org(session, org)
        principal = Principal(org_row.id, org_row.name)
        project_row = projects.get_project(session, principal, project)
        added = _add_gold_lines(session, principal, project_row, lines)
    typer.echo(f"added {added} gold task(s) to project {project!r}")


def _add_gold_lines(session: Any, principal: Any, project: Any, lines: list[str]) -> int:
    import json

    from rich.console import Console
    from rich.progress import Progress

    from labelworks.errors import InvalidRequest, LabelworksError
    from labelworks.services.tasks import create_task

    added = 0
    with Progress(console=Console(stderr=True), transient=True) as progress:
        bar = progress.add_task("adding gold tasks", total=len(lines))
        for number, line in enumerate(lines, start=1):
            progress.advance(bar)
            if not line.strip():
                continue
            try:
                body = json.loads(line)
                if not isinstance(body, dict):
                    raise InvalidRequest("must be a JSON object", "body")
                if body.setdefault("project", project.name) != project.name:
                    raise InvalidRequest(f"must be {project.name!r} (or left out)", "project")
                create_task(session, principal, project.type, body, task_kind="gold")
            except json.JSONDecodeError as exc:
                raise InvalidRequest(
                    f"body: malformed JSON ({exc.msg})", f"line {number}"
                ) from None
            except LabelworksError as exc:
                raise InvalidRequest(exc.error, f"line {number}") from None
            added += 1
    return added


@payouts_app.command("export")
def payouts_export(
    start: Annotated[str, typer.Option("--from", help="first day (ISO date/time, UTC), included")],
    end: Annotated[str, typer.Option("--to", help="end (ISO date/time, UTC), EXCLUDED")],
    output: Annotated[Path, typer.Option("-o", "--output", help="CSV file ('-' for stdout)")],
    org: Annotated[str | None, typer.Option("--org", help="only this org's work")] = None,
) -> None:
    """Sum the earnings ledger per annotator over [--from, --to) into a CSV:
    email,labels,reviews,amount (amount to 2 decimals; adjustments count in the amount)."""
    import sys

    from labelworks.services import orgs, payouts

    with cli_errors():
        start_at = payouts.parse_bound(start, "from")
        end_at = payouts.parse_bound(end, "to")
        with open_database().read() as session:
            org_row = orgs.get_org(session, org) if org else None
            rows = payouts.payouts(session, start_at, end_at, org_row)
    if str(output) == "-":
        payouts.write_csv(rows, sys.stdout)
        return
    with output.open("w", encoding="utf-8", newline="") as out:
        payouts.write_csv(rows, out)
    total = sum(r.amount for r in rows)
    typer.echo(f"wrote {len(rows)} annotator(s), {total:.2f} in total, to {output}")
