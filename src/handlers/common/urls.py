"""Outbound URLs: https, or plain http only towards this machine (local tests)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

_LOOPBACK_NAMES = {"localhost"}


def is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def https_problem(url: str, what: str) -> str | None:
    """Why ``url`` may not be used (naming ``what`` it is, never the URL), or None."""
    parts = urlsplit(url)
    if not parts.hostname:
        return f"{what} has no host"
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname)):
        return None
    return f"{what} must use https (got scheme {parts.scheme!r})"
