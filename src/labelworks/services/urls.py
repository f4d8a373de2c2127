"""URL checks shared by callbacks and file imports, including the SSRF guard."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from labelworks.errors import InvalidRequest


def check_callback_url(url: object, field: str) -> str:
    """Syntax only at creation time; the SSRF guard runs again on every delivery."""
    if not isinstance(url, str):
        raise InvalidRequest("must be a string", field)
    if url.startswith("mailto:") or ("@" in url and "://" not in url):
        return url  # Scale accepts an email address for batch callbacks
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRequest("must be an http(s) URL", field)
    return url


def guard_public_url(url: str, field: str, allow_private: bool) -> str:
    """Refuse non-http(s) URLs and, unless allowed, hosts that resolve to loopback, private,
    link-local or otherwise internal addresses (SSRF)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRequest("must be an http(s) URL", field)
    if allow_private:
        return url
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 80, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise InvalidRequest(f"cannot resolve host {parts.hostname!r}", field) from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise InvalidRequest(
                f"refusing to fetch {parts.hostname!r}: it resolves to a non-public address", field
            )
    return url
