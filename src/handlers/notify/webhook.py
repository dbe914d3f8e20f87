"""A chat webhook client with bounded timeouts that never reveals the URL."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from handlers.common.urls import https_problem


class WebhookError(RuntimeError):
    """The message was not accepted; the text never contains the webhook URL."""


def check_webhook_url(url: str) -> None:
    """Accept https URLs, and plain http only towards this machine (local tests)."""
    problem = https_problem(url, "webhook URL")
    if problem:
        raise WebhookError(problem)


def post_message(url: str, text: str, timeout_seconds: float) -> int:
    """POST ``{"text": ...}`` as JSON; return the HTTP status, raise WebhookError otherwise."""
    check_webhook_url(url)
    body = json.dumps({"text": text}).encode()
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "platform-notify/1"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_seconds) as response:  # noqa: S310
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        raise WebhookError(f"webhook answered HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise WebhookError(f"webhook unreachable: {type(reason).__name__}") from None
    if not 200 <= status < 300:
        raise WebhookError(f"webhook answered HTTP {status}")
    return status
