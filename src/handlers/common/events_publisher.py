"""Publishing to AppSync Events channels over HTTPS, signed with botocore's SigV4.

``POST https://<http dns>/event`` with ``{"channel": ..., "events": ["<json>", ...]}``, at
most 5 events per request (the API's limit), signed for the service ``appsync``. Throttling
(429), server errors (5xx) and network failures are retried with exponential backoff and
jitter; anything else, or retries spent, raises DeliveryError, so that the Lambda fails and
its caller retries (then dead-letters). A 200 answer lists ``failed`` events: any of them
is a DeliveryError too, except a repeat of an event a durable channel kept already (its
``errorMessage`` starts ``AlreadyPublishedError - ``, ``handlers.channels.history``): the
event was delivered the first time, so a retried delivery is done.
"""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from handlers.common.failures import PermanentError
from handlers.common.urls import https_problem

# Events per publish request that the Event API accepts.
MAX_EVENTS = 5
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
# The request itself is wrong (a malformed or oversized event): permanent. Other 4xx answers
# (401, 403, 404) are a configuration an operator fixes, then redrives: transient.
REFUSED_STATUS = frozenset({400, 413})


class DeliveryError(RuntimeError):
    """The events did not reach the channel; the message says why (never a credential)."""


class PermanentDeliveryError(DeliveryError, PermanentError):
    """The Event API refused the events themselves (400, 413): sending them again cannot help."""


@dataclass
class EventsPublisher:
    url: str
    region: str
    credentials: Callable[[], Credentials | None]
    timeout_seconds: float = 3.0
    attempts: int = 4
    base_delay_seconds: float = 0.2
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = field(default=random.random)

    def __post_init__(self) -> None:
        problem = https_problem(self.url, "publish URL")
        if problem:
            raise DeliveryError(problem)

    def publish(self, channel: str, events: Sequence[str]) -> int:
        """Publish ``events`` (JSON strings) to ``channel``; the number published."""
        for start in range(0, len(events), MAX_EVENTS):
            self._publish_batch(channel, list(events[start : start + MAX_EVENTS]))
        return len(events)

    def _publish_batch(self, channel: str, events: list[str]) -> None:
        body = json.dumps({"channel": channel, "events": events}).encode()
        last = "no attempt made"
        for attempt in range(1, self.attempts + 1):
            status, answer = self._post(body)
            if status == 200:
                failed = [f for f in answer.get("failed") or [] if not _repeat(f)]
                if failed:
                    raise DeliveryError(f"{len(failed)} of {len(events)} events refused: {failed}")
                return
            last = f"HTTP {status}" if status else str(answer.get("error"))
            if status and status not in RETRYABLE_STATUS:
                error = PermanentDeliveryError if status in REFUSED_STATUS else DeliveryError
                raise error(f"{channel}: {last} {answer.get('errors', '')}".strip())
            if attempt < self.attempts:
                delay = self.base_delay_seconds * 2 ** (attempt - 1)
                self.sleep(delay * (0.5 + self.jitter()))
        raise DeliveryError(f"{channel}: gave up after {self.attempts} attempts, last {last}")

    def _signed_headers(self, body: bytes) -> dict[str, str]:
        credentials = self.credentials()
        if credentials is None:
            raise DeliveryError("no AWS credentials to sign the publish request with")
        request = AWSRequest(
            method="POST",
            url=self.url,
            data=body,
            headers={"content-type": "application/json"},
        )
        SigV4Auth(credentials, "appsync", self.region).add_auth(request)
        return dict(request.headers.items())

    def _post(self, body: bytes) -> tuple[int, dict[str, Any]]:
        """(HTTP status, JSON answer); status 0 when the request never got an answer."""
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __post_init__
            self.url, data=body, method="POST", headers=self._signed_headers(body)
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:  # noqa: S310
                return int(response.status), _json(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, _json(exc.read())
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            return 0, {"error": f"unreachable: {type(reason).__name__}"}


def _repeat(failed: Any) -> bool:
    """A failed item that is the repeat of an event the channel kept the first time."""
    message = failed.get("errorMessage") if isinstance(failed, dict) else None
    return isinstance(message, str) and message.startswith(REPEAT_PREFIX)


# How the channel handler answers a message id it kept before (handlers.channels.history).
REPEAT_PREFIX = "AlreadyPublishedError - "


def _json(raw: bytes) -> dict[str, Any]:
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        return {"errors": raw[:200].decode(errors="replace")}
    return answer if isinstance(answer, dict) else {"errors": answer}
