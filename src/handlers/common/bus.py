"""Putting events on the EventBridge bus: requests built by size and count, each entry's
failure accounted for, throttling and internal errors retried with backoff.

Producers build each entry with ``EventContract.entry``; this module only sends them.
Imported by the first event that has something to publish (boto3 is not on the cold path).

A request takes at most 10 entries whose sizes add up to less than 256 KB, each entry's size
counted as EventBridge counts it ("Calculating Amazon EventBridge PutEvents event entry
size", EventBridge user guide): 14 bytes for ``Time`` when given, and the UTF-8 bytes of
``Source``, ``DetailType``, ``Detail`` and each of ``Resources``. An entry over the limit on
its own fails alone (``EntryTooLarge``, permanent) and never costs its neighbours their
request.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from handlers.common.failures import PERMANENT_CODES, PermanentError, is_retryable_code

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient

# PutEvents takes at most 10 entries per request, together less than 256 KB.
MAX_ENTRIES = 10
MAX_REQUEST_BYTES = 256 * 1024
# Per-entry error codes EventBridge gives for an entry that can never be put as it is.
_PERMANENT_ENTRY_CODES = PERMANENT_CODES | {"EntryTooLarge", "MalformedDetail", "InvalidArgument"}
# Per-entry codes worth another try in a later request (PutEvents API reference).
_RETRYABLE_ENTRY_CODES = frozenset({"ThrottlingException", "InternalFailure"})


@dataclass(frozen=True)
class EntryFailure:
    """Why one entry did not reach the bus (EventBridge's error code, or the client's)."""

    code: str
    message: str

    @property
    def permanent(self) -> bool:
        """True when the entry can never be put as it is (size, malformed detail)."""
        return self.code in _PERMANENT_ENTRY_CODES

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class PublishError(RuntimeError):
    """An event could not be put on the bus; raising it makes the caller's source retry."""


class PermanentPublishError(PublishError, PermanentError):
    """An event EventBridge will never take as it is (too large, malformed)."""


def _pause(seconds: float) -> None:
    """The wait between rounds (a module function, so that tests can take it away)."""
    time.sleep(seconds)


def entry_size(entry: dict[str, Any]) -> int:
    """The entry's size as EventBridge counts it towards the 256 KB of a request."""
    size = 14 if entry.get("Time") is not None else 0
    for name in ("Source", "DetailType", "Detail"):
        value = entry.get(name)
        if value is not None:
            size += len(str(value).encode())
    for resource in entry.get("Resources") or ():
        size += len(str(resource).encode())
    return size


def _requests(indexed: Sequence[tuple[int, int]]) -> Iterator[list[int]]:
    """Indexes grouped into requests of at most 10 entries and under 256 KB, in order."""
    batch: list[int] = []
    total = 0
    for index, size in indexed:
        if batch and (len(batch) == MAX_ENTRIES or total + size >= MAX_REQUEST_BYTES):
            yield batch
            batch, total = [], 0
        batch.append(index)
        total += size
    if batch:
        yield batch


def put_events(
    client: EventBridgeClient,
    entries: Sequence[dict[str, Any]],
    *,
    attempts: int = 3,
    base_delay_seconds: float = 0.1,
    sleep: Callable[[float], None] | None = None,
) -> list[EntryFailure | None]:
    """Put ``entries``; one result per entry, None when it was put.

    Entries EventBridge rejects one by one are read off each entry's ``ErrorCode``. A
    request that fails as a whole (throttled after botocore's own retries, an internal
    error, the network) and entries rejected as throttled or internal failures are sent
    again, up to ``attempts`` rounds with exponential backoff and jitter, before they are
    reported failed. Anything else (access denied, a malformed entry) fails at once.
    """
    results: list[EntryFailure | None] = [None] * len(entries)
    pending: list[tuple[int, int]] = []
    for index, entry in enumerate(entries):
        size = entry_size(entry)
        if size >= MAX_REQUEST_BYTES:
            results[index] = EntryFailure(
                "EntryTooLarge", f"{size} bytes; EventBridge takes entries under 262144"
            )
        else:
            pending.append((index, size))
    sizes = dict(pending)
    for attempt in range(1, attempts + 1):
        retry: list[int] = []
        for batch in _requests(pending):
            retry.extend(_send(client, entries, batch, results))
        if not retry or attempt == attempts:
            break
        pause = sleep or _pause
        pause(base_delay_seconds * 2 ** (attempt - 1) * (0.5 + random.random()))  # noqa: S311
        pending = [(index, sizes[index]) for index in retry]
    return results


def _send(
    client: EventBridgeClient,
    entries: Sequence[dict[str, Any]],
    batch: list[int],
    results: list[EntryFailure | None],
) -> list[int]:
    """Send one request; record each entry's result; the indexes worth another try."""
    try:
        response = client.put_events(Entries=[entries[i] for i in batch])  # type: ignore[misc]
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "ClientError"))
        for index in batch:
            results[index] = EntryFailure(code, str(error.get("Message", exc)))
        return batch if is_retryable_code(code) else []
    except BotoCoreError as exc:  # the network, a timeout: worth another try
        for index in batch:
            results[index] = EntryFailure(type(exc).__name__, str(exc))
        return batch
    answered = response.get("Entries", [])
    retry = []
    for position, index in enumerate(batch):
        result: Any = answered[position] if position < len(answered) else {}
        if result.get("EventId") and not result.get("ErrorCode"):
            results[index] = None
            continue
        code = str(result.get("ErrorCode", "MissingResult"))
        message = str(result.get("ErrorMessage", "EventBridge gave no result for this entry"))
        results[index] = EntryFailure(code, message)
        if code in _RETRYABLE_ENTRY_CODES:
            retry.append(index)
    return retry


def put_event(client: EventBridgeClient, entry: dict[str, Any]) -> None:
    """Put one event; PublishError when it was not put (PermanentPublishError when it never
    can be)."""
    (failure,) = put_events(client, [entry])
    if failure is not None:
        error = PermanentPublishError if failure.permanent else PublishError
        raise error(f"{entry.get('DetailType')} was not put on the bus: {failure}")
