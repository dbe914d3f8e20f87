"""Fault injection: the failures AWS can hand the platform, on demand, in one registry.

Off by default. Two sorts, both counted in ``GET /_local/status`` (``faults.injected``) when
they fire, so a test can show they really happened:

- **rates** (``--faults kind=rate,...`` or ``POST /_local/faults {"rates": {...}, "seed": n}``,
  lifted with ``{"rates": {}}``): each request of a kind fails with its probability; a seed
  makes a run repeatable.
- **armed** (``POST /_local/faults`` with one order, see ``control.py``): the next *n* events
  of a kind, for one key, fail.

Kinds, and the failure each one answers, as AWS documents it:

- ``dynamodb_throttle`` (rate): a DynamoDB request signed by one of the platform's functions
  answers HTTP 400 ``ProvisionedThroughputExceededException`` with ``ThrottlingReasons``
  (DynamoDB API reference, "ThrottlingReason"; an on-demand table's hot key range gives
  ``TableReadKeyRangeThroughputExceeded`` / ``TableWriteKeyRangeThroughputExceeded``).
  Requests signed by the operator's key (``aws_access_key_id`` of outputs.json) are never
  throttled: the test and the operator look at the tables while the platform is throttled.
- ``put_events`` (rate): an otherwise valid PutEvents entry fails alone with
  ``ThrottlingException`` or ``InternalFailure`` (the two retryable codes of
  ``PutEventsResultEntry``), the rest of the request is put.
- ``webhook`` (rate): the chat webhook answers 503 (a receiver that is down).
- ``event_api_5xx`` (rate): a publish to the Event API's HTTP endpoint answers 500 before it is
  authorised or handled, so nothing is broadcast. AWS does not document the body of such an
  answer; the runtime's is ``{"errors": [{"errorType": "InternalFailureException", ...}]}``.
- ``function_timeout``, ``function_crash`` (armed, key: a function): the invocation times out
  (``Sandbox.Timedout``) or its worker is killed (``Runtime.ExitError``).
- ``function_timeout_after``, ``function_crash_after`` (armed, key: a function): the handler
  runs to its end (its writes and posts done), then the invocation times out or its worker is
  killed before it answers: a failure after the side effects, retried like any other.
- ``target`` (armed, key: a target ARN): a bus delivery fails (``SDK_CLIENT_ERROR``), so the
  target's retry policy and dead-letter queue take over.
- ``duplicate_delivery`` (armed, key: a target ARN): a delivery that succeeded is made once
  more (EventBridge delivers at least once: "Amazon EventBridge events", User Guide).
- ``stream_redelivery`` (armed, key: a function): a stream batch its function took is handed
  to it once more (Lambda reads a stream at least once: "Using Lambda with DynamoDB").
- ``webhook_status`` (armed, key: ``webhook``): the webhook answers the status given.
- ``drop_connections`` (immediate): every Event API WebSocket is cut without a close frame.

``{"disarm": true}`` clears the armed faults not yet taken.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from typing import Any

KINDS = ("dynamodb_throttle", "put_events", "webhook", "event_api_5xx")
ARMED = (
    "function_timeout",
    "function_crash",
    "function_timeout_after",
    "function_crash_after",
    "target",
    "duplicate_delivery",
    "stream_redelivery",
    "webhook_status",
)
IMMEDIATE = ("drop_connections",)


class Faults:
    """The rates, the armed faults and the count of faults injected; safe across threads
    (the local AWS answers on its own threads, the rest on the event loop)."""

    def __init__(self) -> None:
        self.rates: dict[str, float] = dict.fromkeys(KINDS, 0.0)
        self.injected: dict[str, int] = dict.fromkeys((*KINDS, *ARMED, *IMMEDIATE), 0)
        self._armed: dict[tuple[str, str], list[Any]] = {}
        self._random = random.Random()  # noqa: S311 - fault injection, not security
        self._lock = threading.Lock()

    def configure(self, rates: Mapping[str, Any], seed: Any = None) -> str | None:
        """Set every rate (kinds not named go back to 0); what is wrong with the order, or
        None when it was applied. Counts are kept across changes."""
        if not isinstance(rates, Mapping):
            return "rates must be an object of kind -> probability"
        unknown = sorted(set(rates) - set(KINDS))
        if unknown:
            return f"unknown fault kind(s) {', '.join(unknown)}: use {', '.join(KINDS)}"
        parsed: dict[str, float] = {}
        for kind, value in rates.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                return f"{kind}: the rate must be a number from 0 to 1, not {value!r}"
            if not 0 <= value <= 1:
                return f"{kind}: the rate must be from 0 to 1, not {value}"
            parsed[kind] = float(value)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            return f"seed must be an integer, not {seed!r}"
        with self._lock:
            self.rates = {kind: parsed.get(kind, 0.0) for kind in KINDS}
            if seed is not None:
                self._random.seed(seed)
        return None

    def hit(self, kind: str) -> bool:
        """Whether this request of ``kind`` fails (and, if so, it is counted)."""
        with self._lock:
            rate = self.rates[kind]
            if rate <= 0 or self._random.random() >= rate:
                return False
            self.injected[kind] += 1
            return True

    def choice(self, options: tuple[str, ...]) -> str:
        with self._lock:
            return self._random.choice(options)

    def arm(self, kind: str, key: str, count: int, value: Any = True) -> None:
        """Make the next ``count`` events of ``kind`` for ``key`` fail (with ``value``)."""
        if kind not in ARMED:
            raise ValueError(f"{kind} is not a fault that can be armed ({', '.join(ARMED)})")
        with self._lock:
            self._armed.setdefault((kind, key), []).extend([value] * count)

    def disarm(self) -> None:
        """Clear every armed fault not yet taken (``{"disarm": true}``)."""
        with self._lock:
            self._armed.clear()

    def take(self, kind: str, key: str) -> Any:
        """The next armed fault of ``kind`` for ``key`` (counted), or None."""
        with self._lock:
            waiting = self._armed.get((kind, key))
            if not waiting:
                return None
            self.injected[kind] += 1
            return waiting.pop(0)

    def count(self, kind: str, times: int = 1) -> None:
        """Count faults injected at once (``drop_connections``)."""
        with self._lock:
            self.injected[kind] += times

    @property
    def active(self) -> bool:
        return any(rate > 0 for rate in self.rates.values())

    def snapshot(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            armed = {f"{k}:{key}": len(v) for (k, key), v in self._armed.items() if v}
            return {"rates": dict(self.rates), "armed": armed, "injected": dict(self.injected)}


def parse_rates(text: str) -> dict[str, float]:
    """``kind=rate,kind=rate`` (the ``--faults`` option) as a mapping; ValueError naming the
    part that is wrong."""
    rates: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"{part!r}: write kind=rate, e.g. webhook=0.5")
        try:
            rates[kind.strip()] = float(value)
        except ValueError as exc:
            raise ValueError(f"{part!r}: {value!r} is not a number") from exc
    problem = Faults().configure(rates)
    if problem:
        raise ValueError(problem)
    return rates
