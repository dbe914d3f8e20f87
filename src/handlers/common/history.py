"""Channel history: how a durable channel's events are kept in the history table.

One table for every durable namespace, keyed ``pk`` (string) / ``sk`` (number):

- the channel's counter: ``pk`` = the channel path (``/chat/room-1``), ``sk`` = 0, ``last`` =
  the last sequence number given out on it (never expires: a channel's ``seq`` never restarts);
- each event: ``pk`` = the channel path, ``sk`` = its ``seq``; ``id`` (the Event API's event
  id), ``publishedAt`` (RFC 3339, UTC), ``payload`` (the delivered payload as JSON text, so a
  number comes back exactly as it went out), ``messageId`` (the publisher's, when it sent one)
  and ``expiresAt`` (epoch seconds: the table's TTL attribute);
- each publisher message id seen: ``pk`` = ``<channel>#message#<message id>``, ``sk`` = 0,
  with the ``seq`` and ``id`` of the event it was kept as, and ``expiresAt``: a repeat within the
  history window is answered with the first event's ``seq``.

A channel path holds only letters, digits, hyphens and ``/`` (AppSync's segment rule), so
``#`` cannot occur in one and the three kinds of key never meet. Written by the channel
handler (``handlers.channels.history``), read by the history API (``handlers.channel_history``).
``KeptEvent`` is a ``NamedTuple``: it is on the channel handler's cold path (see there).
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

COUNTER_SK = 0
TTL_ATTRIBUTE = "expiresAt"


def message_pk(channel: str, message_id: str) -> str:
    return f"{channel}#message#{message_id}"


class KeptEvent(NamedTuple):
    """One event as history keeps it and the history API answers it."""

    channel: str
    seq: int
    id: str
    published_at: str
    payload: Any
    expires_at: int
    message_id: str | None = None

    def to_item(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": self.channel,
            "sk": self.seq,
            "id": self.id,
            "publishedAt": self.published_at,
            "payload": json.dumps(self.payload, separators=(",", ":")),
            TTL_ATTRIBUTE: self.expires_at,
        }
        if self.message_id is not None:
            item["messageId"] = self.message_id
        return item

    def message_item(self, message_id: str) -> dict[str, Any]:
        """The record of its publisher's message id."""
        return {
            "pk": message_pk(self.channel, message_id),
            "sk": COUNTER_SK,
            "seq": self.seq,
            "id": self.id,
            TTL_ATTRIBUTE: self.expires_at,
        }

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> KeptEvent:
        return cls(
            channel=str(item["pk"]),
            seq=int(item["sk"]),
            id=str(item["id"]),
            published_at=str(item["publishedAt"]),
            payload=json.loads(str(item["payload"])),
            expires_at=int(item[TTL_ATTRIBUTE]),
            message_id=item.get("messageId"),
        )

    def answer(self) -> dict[str, Any]:
        """How the history API answers it."""
        return {
            "id": self.id,
            "seq": self.seq,
            "publishedAt": self.published_at,
            "payload": self.payload,
        }
