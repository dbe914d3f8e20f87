"""Catch-up: a durable channel's kept events after a ``seq``, in order, a page at a time.

Authorised exactly as a subscription to the channel is: the caller is the token's identity
judged by the channel handler's rules (``handlers.channels.identity``), and the channel by
``handlers.channels.logic.require_subscription``, the function the subscribe handler calls.
Bad input is refused with the status and words that say what was wrong, never a 500:

- 400 a path that is no channel, an ``after`` that is not a whole number, a ``limit`` out of
  range, a ``cursor`` this API did not give out for this channel;
- 403 a channel the caller may not subscribe to (another user's private channel);
- 404 a namespace that does not exist, or one that keeps no history.

``next`` is an opaque cursor (the channel and the last ``seq`` of the page, base64url), or
null when the page reached the end of what is kept.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from handlers.channels.identity import Caller
from handlers.channels.logic import (
    Channel,
    ChannelRefusedError,
    UnknownChannelError,
    channel_of,
    require_subscription,
)
from handlers.common.history import KeptEvent

MAX_PAGE_SIZE = 100
# A seq is a DynamoDB number that a counter reached: at most 15 ASCII digits here.
_SEQ = re.compile(r"[0-9]{1,15}")
_LIMIT = re.compile(r"[0-9]{1,3}")


class HistoryRequestError(ValueError):
    """The request is malformed; the message says what to change (HTTP 400)."""


class HistoryRefusedError(PermissionError):
    """The caller may not read this channel (HTTP 403)."""


class NoHistoryError(LookupError):
    """No such namespace, or it keeps no history (HTTP 404)."""


@dataclass(frozen=True)
class Page:
    events: list[KeptEvent]
    more: bool  # whether the store holds events after the last of ``events``


class HistoryReader(Protocol):
    def events_after(self, channel: str, after: int, limit: int) -> Page:
        """Up to ``limit`` kept events of ``channel`` with ``seq`` > ``after``, in order."""


@dataclass(frozen=True)
class Query:
    """The request, as the API passes it on: the channel path after the API's prefix, the
    query string parameters (each None when absent)."""

    path: str
    after: str | None = None
    limit: str | None = None
    cursor: str | None = None


def encode_cursor(channel: str, seq: int) -> str:
    raw = json.dumps({"channel": channel, "seq": seq}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, channel: str) -> int:
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise HistoryRequestError("cursor is not one this API gave out") from exc
    if (
        not isinstance(position, dict)
        or set(position) != {"channel", "seq"}
        or type(position["seq"]) is not int
        or position["seq"] < 0
    ):
        raise HistoryRequestError("cursor is not one this API gave out")
    if position["channel"] != channel:
        raise HistoryRequestError(f"cursor belongs to another channel than {channel}")
    seq: int = position["seq"]
    return seq


def _after(query: Query, channel: str) -> int:
    if query.cursor is not None and query.after is not None:
        raise HistoryRequestError("give after or cursor, not both")
    if query.cursor is not None:
        return _decode_cursor(query.cursor, channel)
    if query.after is None or query.after == "":
        return 0
    if not _SEQ.fullmatch(query.after):
        raise HistoryRequestError("after must be a seq: a whole number from 0")
    return int(query.after)


def _limit(raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    if not _LIMIT.fullmatch(raw) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise HistoryRequestError(f"limit must be a whole number from 1 to {MAX_PAGE_SIZE}")
    return int(raw)


def channel_named(path: str) -> Channel:
    """The channel of a request path (``chat/room-1``); 400 for anything that is not one."""
    namespace = path.split("/", 1)[0]
    try:
        return channel_of("/" + path, namespace, subscribe=False)
    except UnknownChannelError as exc:
        raise HistoryRequestError(str(exc)) from exc


def read_history(
    reader: HistoryReader,
    caller: Caller,
    query: Query,
    *,
    durable: Mapping[str, int],
    default_limit: int,
    clock: Callable[[], float] = time.time,
) -> dict[str, Any]:
    """``{"events": [{"id", "seq", "publishedAt", "payload"}...], "next": cursor | None}``."""
    channel = channel_named(query.path)
    try:
        require_subscription(caller, channel)
    except ChannelRefusedError as exc:
        raise HistoryRefusedError(str(exc)) from exc
    except UnknownChannelError as exc:
        raise NoHistoryError(f"no namespace /{channel.namespace} here") from exc
    if channel.namespace not in durable:
        raise NoHistoryError(f"/{channel.namespace} keeps no history")
    after = _after(query, channel.path)
    page = reader.events_after(channel.path, after, _limit(query.limit, default_limit))
    now = clock()
    # DynamoDB deletes expired items within days, not at once: an expired event is not served.
    events = [e for e in page.events if e.expires_at > now]
    last = page.events[-1].seq if page.events else after
    return {
        "events": [e.answer() for e in events],
        "next": encode_cursor(channel.path, last) if page.more else None,
    }
