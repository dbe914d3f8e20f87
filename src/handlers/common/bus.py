"""Putting events on the EventBridge bus, at most 10 per request, each failure accounted for.

Producers build each entry with ``EventContract.entry``; this module only sends them.
Imported by the first event that has something to publish (boto3 is not on the cold path).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient

# PutEvents takes at most 10 entries per request.
MAX_ENTRIES = 10


@dataclass(frozen=True)
class EntryFailure:
    """Why one entry did not reach the bus (EventBridge's error code, or the client's)."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class PublishError(RuntimeError):
    """An event could not be put on the bus; raising it makes the caller's source retry."""


def put_events(
    client: EventBridgeClient, entries: Sequence[dict[str, Any]]
) -> list[EntryFailure | None]:
    """Send ``entries`` in requests of at most 10; one result per entry, None when it was put.

    A request that fails as a whole (throttled after botocore's retries, network, access)
    fails each of its entries; entries that EventBridge rejects one by one are read off
    ``FailedEntryCount`` and the per-entry ``ErrorCode``.
    """
    results: list[EntryFailure | None] = []
    for start in range(0, len(entries), MAX_ENTRIES):
        chunk = list(entries[start : start + MAX_ENTRIES])
        try:
            response = client.put_events(Entries=chunk)  # type: ignore[arg-type]
        except ClientError as exc:
            error = exc.response.get("Error", {})
            failure = EntryFailure(error.get("Code", "ClientError"), error.get("Message", str(exc)))
            results.extend([failure] * len(chunk))
            continue
        except BotoCoreError as exc:
            results.extend([EntryFailure(type(exc).__name__, str(exc))] * len(chunk))
            continue
        answered = response.get("Entries", [])
        if response.get("FailedEntryCount", 0) == 0 and len(answered) == len(chunk):
            results.extend([None] * len(chunk))
            continue
        for index in range(len(chunk)):
            result = answered[index] if index < len(answered) else {}
            if result.get("EventId") and not result.get("ErrorCode"):
                results.append(None)
            else:
                results.append(
                    EntryFailure(
                        result.get("ErrorCode", "MissingResult"),
                        result.get("ErrorMessage", "EventBridge gave no result for this entry"),
                    )
                )
    return results


def put_event(client: EventBridgeClient, entry: dict[str, Any]) -> None:
    """Put one event; PublishError when it was not put."""
    (failure,) = put_events(client, [entry])
    if failure is not None:
        raise PublishError(f"{entry.get('DetailType')} was not put on the bus: {failure}")
