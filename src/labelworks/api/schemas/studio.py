"""`/v1/studio`: assignments, project groups, batch priorities."""

from __future__ import annotations

from typing import Any

from labelworks.api.schemas.common import Model


class AssignmentsBody(Model):
    emails: list[str]
    projects: list[str]


class GroupCreate(Model):
    name: str
    emails: list[str] | None = None


class GroupUpdate(Model):
    add_emails: list[str] | None = None
    remove_emails: list[str] | None = None


class PrioritiesBody(Model):
    batches: list[Any]


class BatchGroupsBody(Model):
    groups: list[str]
