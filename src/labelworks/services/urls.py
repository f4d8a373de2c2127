"""URL checks shared by callbacks and file imports, including the SSRF guard.

`parse_http_url` is the one syntax check (a malformed URL is a 400 naming the field, never a
ValueError from `urlsplit`). `resolve_public` is the SSRF guard: it resolves the host once,
refuses internal addresses, and returns the address it checked; `pinned_request` then builds a
request that connects to exactly that address while keeping the Host header and TLS SNI (and
certificate check) on the name, so a DNS answer that changes between check and connect
(rebinding) cannot reach an internal address.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

from labelworks.errors import InvalidRequest

MAX_URL_CHARS = 4096


class Unresolvable(InvalidRequest):
    """The host name does not resolve (now): unlike a policy refusal, worth retrying later."""


def parse_http_url(url: object, field: str) -> SplitResult:
    """An absolute http(s) URL with a host and a valid port, or a 400 on `field`."""
    if not isinstance(url, str):
        raise InvalidRequest("must be a string", field)
    if len(url) > MAX_URL_CHARS:
        raise InvalidRequest(f"must be at most {MAX_URL_CHARS} characters", field)
    if any(ord(c) <= 32 or ord(c) == 127 for c in url):
        raise InvalidRequest("must not contain spaces or control characters", field)
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError when out of range or not a number
        hostname = parts.hostname
    except ValueError as exc:
        raise InvalidRequest(f"is not a valid URL ({exc})", field) from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise InvalidRequest("must be an http(s) URL", field)
    if port == 0:
        raise InvalidRequest("is not a valid URL (port 0)", field)
    if not _is_ip(hostname):
        try:
            hostname.encode("idna")
        except UnicodeError:
            raise InvalidRequest("is not a valid URL (bad host name)", field) from None
    return parts


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def check_callback_url(url: object, field: str) -> str:
    """Syntax only at creation time; the SSRF guard runs again on every delivery."""
    if not isinstance(url, str):
        raise InvalidRequest("must be a string", field)
    if url.startswith("mailto:") or ("@" in url and "://" not in url):
        if len(url) > 320 or any(ord(c) < 32 for c in url):
            raise InvalidRequest("must be an email address or an http(s) URL", field)
        return url  # Scale accepts an email address for batch callbacks
    parse_http_url(url, field)
    return url


@dataclass(frozen=True)
class Target:
    """A URL and the address it was checked against (connect there, nowhere else)."""

    url: str
    host: str
    port: int
    address: str


def resolve_public(url: str, field: str, allow_private: bool) -> Target:
    """Refuse non-http(s) URLs and, unless allowed, hosts that resolve to loopback, private,
    link-local or otherwise internal addresses (SSRF). Every address the name resolves to must
    be public; the first one is returned to be pinned."""
    parts = parse_http_url(url, field)
    host = parts.hostname
    assert host is not None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        raise Unresolvable(f"cannot resolve host {host!r}", field) from None
    if not infos:
        raise Unresolvable(f"cannot resolve host {host!r}", field)
    addresses = [str(info[4][0]).split("%", 1)[0] for info in infos]
    if not allow_private:
        for text in addresses:
            address = ipaddress.ip_address(text)
            if not address.is_global or address.is_multicast:
                raise InvalidRequest(
                    f"refusing to connect to {host!r}: it resolves to a non-public address", field
                )
    return Target(url, host, port, addresses[0])


def guard_public_url(url: str, field: str, allow_private: bool) -> str:
    """The SSRF guard alone (kept for callers that only check)."""
    resolve_public(url, field, allow_private)
    return url


def pinned_request(target: Target) -> tuple[Any, dict[str, str], dict[str, Any]]:
    """-> (httpx.URL on the checked address, Host header, request extensions with the SNI name).

    httpcore takes the TLS server name (and so the certificate check) from `sni_hostname`."""
    import httpx

    original = httpx.URL(target.url)
    pinned = original.copy_with(host=target.address)
    host_header = original.netloc.decode("ascii")
    return pinned, {"host": host_header}, {"sni_hostname": target.host}
