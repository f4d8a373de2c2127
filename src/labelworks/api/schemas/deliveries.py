"""Callback delivery log."""

from __future__ import annotations

from typing import Any

from labelworks.api.schemas.common import Model


class DeliveriesOut(Model):
    deliveries: list[Any] | None = None
