"""Durable channels, write side: number every accepted event of a channel, keep it, and accept
a publisher's message id once.

For one publish request (1-5 items, all on one channel): items whose message id was seen
before are answered AlreadyPublishedError naming the first event's ``seq`` and not delivered;
the others get the next ``seq`` values of the channel, allocated in one counter write, in the
order they were published, and are written to history before the handler answers, so any
event a subscriber can receive is in history. ``seq`` is strictly increasing and unique on a
channel, and not gap-free: numbers allocated to a write that then failed, or to a repeat that
raced another publish of the same message id, are never used.

A failure to allocate or to write fails the request's fresh items with StorageError
(publishing them again is safe; with their message ids, they are kept once). No AWS here: the
store is a protocol (``handlers.channels.dal.DynamoDBHistoryStore`` in AWS).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, Protocol

from handlers.channels.logic import StorageError
from handlers.common.history import KeptEvent


class AlreadyPublishedError(ValueError):
    """The publisher's message id was kept before: the item is not delivered again.

    Its message names the first event's ``seq`` and ``id``; publishers treat it as success.
    """

    def __init__(self, message_id: str, first: Seen) -> None:
        super().__init__(
            f"message id {message_id} was published as seq {first.seq} (event id {first.id})"
        )
        self.first = first


class Seen(NamedTuple):
    """Where a publisher's message id was kept."""

    seq: int
    id: str


class Entry(NamedTuple):
    """An accepted item to keep: the Event API's id, the publisher's message id, the payload
    subscribers will receive."""

    id: str
    message_id: str | None
    payload: Mapping[str, Any]


class HistoryStore(Protocol):
    def allocate(self, channel: str, count: int) -> int:
        """Reserve ``count`` new sequence numbers on ``channel``; the last of them.

        Raises StorageError when the counter cannot be written."""

    def seen(self, channel: str, message_ids: Sequence[str]) -> dict[str, Seen]:
        """Which of ``message_ids`` were kept on ``channel`` (strongly consistent)."""

    def write(self, events: Sequence[KeptEvent]) -> set[str]:
        """Write ``events`` (one channel) and their message id records, all or none.

        Returns the message ids another publish recorded first (nothing written then);
        raises StorageError when the write fails."""


Outcome = Mapping[str, Any] | Exception
Clock = Callable[[], datetime]


def _stamped(entry: Entry, seq: int) -> dict[str, Any]:
    return {**entry.payload, "seq": seq, "id": entry.id}


def keep(
    channel: str,
    entries: Sequence[Entry],
    store: HistoryStore,
    *,
    ttl_days: int,
    now: Clock = lambda: datetime.now(UTC),
) -> list[Outcome]:
    """One outcome per entry, in order: the payload to deliver (with ``seq`` and ``id``) or
    the error that item fails with."""
    outcomes: list[Outcome | None] = [None] * len(entries)
    first_of: dict[str, int] = {}  # message id -> index of its first entry in this request
    repeats: list[tuple[int, str]] = []  # a message id again within the request
    fresh: list[int] = []
    for n, entry in enumerate(entries):
        if entry.message_id is not None and entry.message_id in first_of:
            repeats.append((n, entry.message_id))
            continue
        if entry.message_id is not None:
            first_of[entry.message_id] = n
        fresh.append(n)
    kept: dict[str, Seen] = {}
    try:
        seen = store.seen(channel, list(first_of)) if first_of else {}
        fresh = _answer_seen(entries, fresh, seen, outcomes)
        if fresh:
            kept = _write(Batch(channel, entries, fresh, ttl_days, now()), store, outcomes)
    except StorageError as exc:
        for n in fresh:
            if outcomes[n] is None:
                outcomes[n] = exc
    for n, message_id in repeats:
        first = outcomes[first_of[message_id]]
        outcomes[n] = (
            first
            if isinstance(first, Exception)
            else AlreadyPublishedError(message_id, kept[message_id])
        )
    return [o for o in outcomes if o is not None]


def _answer_seen(
    entries: Sequence[Entry],
    fresh: list[int],
    seen: Mapping[str, Seen],
    outcomes: list[Outcome | None],
) -> list[int]:
    left = []
    for n in fresh:
        message_id = entries[n].message_id
        if message_id is not None and message_id in seen:
            outcomes[n] = AlreadyPublishedError(message_id, seen[message_id])
        else:
            left.append(n)
    return left


class Batch(NamedTuple):
    """The fresh entries of one request, to number and write."""

    channel: str
    entries: Sequence[Entry]
    fresh: list[int]
    ttl_days: int
    moment: datetime


def _write(batch: Batch, store: HistoryStore, outcomes: list[Outcome | None]) -> dict[str, Seen]:
    """Allocate and write the batch's fresh entries; where each message id was kept."""
    fresh, entries = batch.fresh, batch.entries
    last = store.allocate(batch.channel, len(fresh))
    seqs = list(range(last - len(fresh) + 1, last + 1))
    published_at = batch.moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    expires_at = int((batch.moment + timedelta(days=batch.ttl_days)).timestamp())
    while fresh:
        events = [
            KeptEvent(
                channel=batch.channel,
                seq=seq,
                id=entries[n].id,
                published_at=published_at,
                payload=_stamped(entries[n], seq),
                expires_at=expires_at,
                message_id=entries[n].message_id,
            )
            for n, seq in zip(fresh, seqs, strict=False)
        ]
        raced = store.write(events)
        if not raced:
            kept: dict[str, Seen] = {}
            for n, event in zip(fresh, events, strict=False):
                outcomes[n] = event.payload
                if event.message_id is not None:
                    kept[event.message_id] = Seen(event.seq, event.id)
            return kept
        # Another publish of the same message id won: answer those as repeats and write the
        # rest again, with the same numbers (none of them was used).
        left = _answer_seen(entries, fresh, store.seen(batch.channel, sorted(raced)), outcomes)
        if len(left) == len(fresh):
            raise StorageError(f"message ids {sorted(raced)} are recorded but cannot be read")
        fresh = left
    return {}
