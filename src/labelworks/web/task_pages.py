"""The task browser (`/tasks`) and the task page (`/tasks/{task_id}`): filters over keyset pages,
the response drawn on the attachment, each annotator's label, history, deliveries, audit.

Customer users only; each read and write asks the API's own policies with the person's team
role and goes through the API's services (listing, audit, redelivery), so the page can do
exactly what the same person could do on `/v1`."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from labelworks.api import safe_json
from labelworks.api.deps import DbDep
from labelworks.api.file_responses import file_response
from labelworks.api.params import parse_time
from labelworks.api.policies.deliveries import DeliveryPolicy
from labelworks.api.policies.files import FilePolicy
from labelworks.api.policies.pages import PagePolicy, PageVisit, authorize_page
from labelworks.api.policies.tasks import TaskPolicy
from labelworks.db.database import Database
from labelworks.errors import Forbidden, InvalidRequest, LabelworksError, NotFound
from labelworks.services import files, lifecycle, task_labels, task_listing, tasks
from labelworks.services.delivery import log as delivery_log
from labelworks.services.instance import instance_secret
from labelworks.services.scope import Principal
from labelworks.tasktypes import SUPPORTED_TYPES
from labelworks.web import render, task_drawing
from labelworks.web import session as web_session

router = APIRouter(include_in_schema=False)
# What the page says after a write (fixed text: the query parameter only picks one).
DONE = {
    "accepted": "Task accepted.",
    "rejected": "Task rejected: it goes back for another labelling round.",
    "fixed": "Response corrected and the task accepted.",
    "redelivered": "Callback queued for delivery.",
}
PAGE_SIZES = (25, 50, 100)
# The browser counts matches up to here ("more than 10,000"): an exact count of a million
# tasks costs a second on SQLite, the rest of the page a few milliseconds.
COUNT_CAP = 10_000
VisitDep = Annotated[PageVisit | None, authorize_page(PagePolicy.customer)]


def _principal(request: Request, db: Database, visit: PageVisit | None) -> Principal | Response:
    """The customer's principal, or the page that answers instead (sign in, 403)."""
    stop = render.gate(request, db, visit)
    if stop is not None:
        return stop
    assert visit is not None
    try:
        principal = render.customer_principal(db, visit)
    except Forbidden as exc:
        return render.refused(request, db, visit, exc.message)
    reason = render.check(TaskPolicy.read, principal)
    return render.refused(request, db, visit, reason) if reason else principal


def _not_found(request: Request, db: Database, visit: PageVisit) -> Response:
    """The same page for another org's task and a missing one: it shows nothing of either."""
    return render.page(
        request, "not_found.html", render.context(db, visit.person, visit.token), 404
    )


# --- the browser -------------------------------------------------------------------------------


def _day(value: str, field: str, end: bool) -> dt.datetime | None:
    """A date input (YYYY-MM-DD, or a full timestamp); an end date includes its whole day."""
    parsed = parse_time(value or None, field)
    if parsed is not None and end and len(value.strip()) == 10:
        parsed += dt.timedelta(days=1, microseconds=-1)
    return parsed


def _filters(q: dict[str, str]) -> task_listing.TaskFilters:
    return task_listing.TaskFilters(
        project=q["project"] or None,
        batch=q["batch"] or None,
        status=q["status"] or None,
        type=q["type"] or None,
        tags=[t.strip() for t in q["tags"].split(",") if t.strip()],
        unique_id=[q["unique_id"]] if q["unique_id"] else [],
        start_time=_day(q["created_from"], "created_from", end=False),
        end_time=_day(q["created_to"], "created_to", end=True),
        completed_after=_day(q["completed_from"], "completed_from", end=False),
        completed_before=_day(q["completed_to"], "completed_to", end=True),
    )


FILTER_KEYS = (
    "project", "batch", "status", "type", "tags", "unique_id",
    "created_from", "created_to", "completed_from", "completed_to",
)  # fmt: skip


@router.get("/tasks", response_model=None)
def task_browser(request: Request, db: DbDep, visit: VisitDep) -> Response:
    principal = _principal(request, db, visit)
    if isinstance(principal, Response):
        return principal
    assert visit is not None
    q = {k: request.query_params.get(k, "").strip() for k in FILTER_KEYS}
    size = request.query_params.get("limit", "50")
    limit = int(size) if size.isdigit() and int(size) in PAGE_SIZES else 50
    token = request.query_params.get("next_token") or None
    result, error, status = None, None, 200
    try:
        filters = _filters(q)
        secret = instance_secret(db, "list-token")
        with db.read() as session:
            result = task_listing.list_tasks(
                session, principal, filters,
                limit=limit, next_token=token, secret=secret, count_cap=COUNT_CAP,
            )  # fmt: skip
    except LabelworksError as exc:
        error, status = exc.error, exc.status_code
    kept = {**{k: v for k, v in q.items() if v}, "limit": limit}
    first_url = "/tasks?" + urlencode(kept)
    next_url = None
    if result is not None and result.next_token:
        next_url = f"{first_url}&{urlencode({'next_token': result.next_token})}"
    ctx = render.context(
        db, visit.person, visit.token,
        q=q, limit=limit, sizes=PAGE_SIZES, result=result, error=error,
        first_url=first_url, next_url=next_url,
        count_cap=COUNT_CAP, statuses=task_listing.TASK_STATUSES, types=SUPPORTED_TYPES, continued=token is not None,
    )  # fmt: skip
    return render.page(request, "tasks.html", ctx, status)


# --- the task page -----------------------------------------------------------------------------


def _image_size(db: Database, principal: Principal, url: Any) -> tuple[int, int] | None:
    """An uploaded image's size in pixels (the SVG overlay's viewBox); None for other URLs,
    whose size the page's script reads once the image has loaded."""
    file_id = task_drawing.own_file_id(url)
    if file_id is None:
        return None
    from PIL import Image

    try:
        with db.read() as session:
            record = files.get_file(session, principal, file_id)
        # Media are sealed at rest: decrypt into memory (Pillow reads the header only).
        with Image.open(io.BytesIO(b"".join(files.file_bytes(db, record)))) as image:
            return image.size
    except (NotFound, OSError, ValueError):
        return None


def _task_page(
    request: Request,
    db: Database,
    visit: PageVisit,
    principal: Principal,
    task_id: str,
    error: str | None = None,
    status: int = 200,
) -> Response:
    try:
        with db.read() as session:
            view = tasks.get_task(session, principal, task_id)
            labels = task_labels.task_labels(session, principal, task_id)
            history = lifecycle.task_history(session, principal, task_id)
            deliveries = delivery_log.task_deliveries(session, principal, task_id)
    except NotFound:
        return _not_found(request, db, visit)
    task = view.task
    params = task.params or {}
    attachment = params.get("attachment")
    ctx = render.context(
        db, visit.person, visit.token,
        view=view, task=task, params=params, error=error,
        attachment=task_drawing.media_url(attachment),
        size=_image_size(db, principal, attachment) if task.type in task_drawing.IMAGE_TYPES else None,
        is_image=task.type in task_drawing.IMAGE_TYPES
        or (task.type == "categorization" and params.get("attachment_type", "image") == "image"),
        drawing=task_drawing.draw(task.type, params, task.response),
        labels=[(lab, task_drawing.draw(task.type, params, lab.response)) for lab in labels],
        history=history, deliveries=deliveries,
        ner_text=params.get("text", ""),
        attachments=task_drawing.attachments(params),
        compared=task_drawing.comparison_responses(params) if task.type == "comparison" else [],
        prompt_html=task_drawing.to_html(params.get("prompt")),
        can_audit=render.check(TaskPolicy.audit, principal) is None,
        response_json=json.dumps(task.response, indent=2, ensure_ascii=False)
        if task.response is not None
        else "",
        can_redeliver=render.check(DeliveryPolicy.redeliver, principal) is None,
        done=DONE.get(request.query_params.get("done", "")) if error is None else None,
    )  # fmt: skip
    return render.page(request, "task.html", ctx, status)


@router.get("/tasks/media/{file_id}", response_model=None)
def task_media(file_id: str, request: Request, db: DbDep, visit: VisitDep) -> Response:
    """An uploaded attachment for the org's customer users (the `/v1` URL needs an API key)."""
    principal = _principal(request, db, visit)
    if isinstance(principal, Response):
        return principal
    assert visit is not None
    reason = render.check(FilePolicy.read, principal)
    if reason:
        return render.refused(request, db, visit, reason)
    try:
        with db.read() as session:
            record = files.get_file(session, principal, file_id)
    except NotFound:
        return _not_found(request, db, visit)
    return file_response(db, record, request.headers.get("range"))


@router.get("/tasks/{task_id}", response_model=None)
def task_page(task_id: str, request: Request, db: DbDep, visit: VisitDep) -> Response:
    principal = _principal(request, db, visit)
    if isinstance(principal, Response):
        return principal
    assert visit is not None
    return _task_page(request, db, visit, principal, task_id)


async def _write(
    request: Request,
    db: Database,
    visit: PageVisit | None,
    task_id: str,
    csrf_token: str,
    policy: Any,
    work: Any,
    done: str,
) -> Response:
    """A form POST from the task page: CSRF, then the API's policy, then the service in one
    write transaction; back to the page (303) or the page with the error and its 4xx."""
    principal = await run_in_threadpool(_principal, request, db, visit)
    if isinstance(principal, Response):
        return principal
    assert visit is not None
    try:
        web_session.check_csrf(db, visit.token, csrf_token)
    except Forbidden as exc:
        return render.refused(request, db, visit, exc.message)
    reason = render.check(policy, principal)
    if reason:
        return render.refused(request, db, visit, reason)

    def run() -> Response:
        try:
            with db.write() as session:
                work(session, principal)
        except NotFound:
            return _not_found(request, db, visit)
        except LabelworksError as exc:
            return _task_page(request, db, visit, principal, task_id, exc.error, exc.status_code)
        return RedirectResponse(f"/tasks/{task_id}?done={done}", status_code=303)

    return await run_in_threadpool(run)


@router.post("/tasks/{task_id}/audit", response_model=None)
async def audit(
    task_id: str,
    request: Request,
    db: DbDep,
    visit: VisitDep,
    csrf_token: str = Form(""),
    decision: str = Form(""),
    comments: str = Form(""),
    response: str = Form(""),
) -> Response:
    """Accept, fix (accept with a corrected response) or reject with a reason (a rejected task
    goes back for another labelling round): the same service as `POST /v1/task/{id}/audit`."""

    def work(session: Any, principal: Principal) -> None:
        if decision not in ("accept", "fix", "reject"):
            raise InvalidRequest("must be accept, fix or reject", "decision")
        if decision == "reject" and not comments.strip():
            raise InvalidRequest("say why the task is rejected", "comments")
        body: dict[str, Any] = {
            "accepted": decision != "reject",
            "comments": comments.strip() or None,
        }
        if decision == "fix":
            body["response"] = safe_json.loads(response or "null", at="response")
        tasks.audit_task(session, principal, task_id, body)

    done = {"accept": "accepted", "fix": "fixed"}.get(decision, "rejected")
    return await _write(request, db, visit, task_id, csrf_token, TaskPolicy.audit, work, done)


@router.post("/tasks/{task_id}/redeliver", response_model=None)
async def redeliver(
    task_id: str, request: Request, db: DbDep, visit: VisitDep, csrf_token: str = Form("")
) -> Response:
    def work(session: Any, principal: Principal) -> None:
        delivery_log.redeliver_task(session, principal, task_id)

    return await _write(
        request, db, visit, task_id, csrf_token, DeliveryPolicy.redeliver, work, "redelivered"
    )
