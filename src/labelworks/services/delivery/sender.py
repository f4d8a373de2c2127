"""Sending one callback: SSRF guard, signed POST, and the outcome (never an exception)."""

from __future__ import annotations

import json
import re
import time

import httpx

from labelworks import __version__
from labelworks.errors import InvalidRequest
from labelworks.services.delivery import signing
from labelworks.services.delivery.claims import Job, Outcome
from labelworks.services.urls import Unresolvable, pinned_request, resolve_public
from labelworks.settings import Settings

AUTH_HEADER = "scale-callback-auth"
DELIVERY_HEADER = "Labelworks-Delivery"  # the outbox id: receivers deduplicate on it
ATTEMPT_HEADER = "Labelworks-Delivery-Attempt"
MAX_ERROR_CHARS = 500


def encode(payload: object) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def headers_for(job: Job, body: bytes) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": f"Labelworks-Callbacks/{__version__}",
        AUTH_HEADER: job.secret,
        signing.HEADER: signing.sign(job.secret, body),
        DELIVERY_HEADER: str(job.outbox_id),
        ATTEMPT_HEADER: str(job.attempt),
    }


def make_client(settings: Settings) -> httpx.Client:
    """One pooled client per worker, shared by its sending threads (httpx.Client is thread-safe)."""
    size = max(1, settings.delivery_concurrency)
    return httpx.Client(
        timeout=settings.callback_timeout_seconds,
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
    )


def send(job: Job, client: httpx.Client, settings: Settings) -> Outcome:
    """POST the callback; any failure becomes an Outcome with an error, so a worker never dies."""
    started = time.perf_counter()
    status: int | None = None
    error: str | None = None
    final = False
    try:
        # Resolve and check once, then connect to that very address (no second DNS lookup).
        target = resolve_public(job.url, "callback_url", settings.allow_private_urls)
        url, host, extensions = pinned_request(target)
        body = encode(job.payload)
        response = client.post(
            url, content=body, headers={**headers_for(job, body), **host}, extensions=extensions
        )
        status = response.status_code
        if not 200 <= status < 300:
            error = f"HTTP {status} from the receiver"
    except Unresolvable as exc:
        error = exc.error  # DNS may come back: retried like a network error
    except InvalidRequest as exc:
        error, final = f"refused: {exc.error}", True
    except httpx.TimeoutException:
        error = f"timed out after {settings.callback_timeout_seconds:g} s"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS] or type(exc).__name__
    except Exception as exc:  # a bug in one send must not stop the others
        error = f"unexpected {type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
    duration_ms = (time.perf_counter() - started) * 1000.0
    return Outcome(job, round(duration_ms, 3), status, _redacted(error, job.url), final)


def _redacted(error: str | None, url: str) -> str | None:
    """The error without the callback URL or its host: a URL is customer content (sealed in the
    outbox), while the delivery log's error text is stored in the clear."""
    if not error:
        return error
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    error = error.replace(url, "<callback URL>")
    if host:
        error = re.sub(re.escape(host), "<callback host>", error, flags=re.IGNORECASE)
    return error
