"""The task browser (`/tasks`) and the task page (`/tasks/{task_id}`): filters over keyset pages,
the response drawn on the attachment, each annotator's label, history, deliveries, audit."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
