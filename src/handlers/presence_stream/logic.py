"""What one record of the presence table's stream announces, and under which message id.

The writer decided what its write announces (``Member.announce``, ``handlers.presence.logic``):
an INSERT or MODIFY announces that, a REMOVE (a leave, the sweep, or DynamoDB's TTL) announces
the member's leave. Each announcement carries a ``clientMessageId`` made from the channel, the
member, the write (``Member.write_id``: a version starts again at 1 after a leave) and the
action: the durable presence channel keeps an id once, so a record the stream hands over again
(or a batch retried after a failure) is announced once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from handlers.channels.logic import PRESENCE_NAMESPACE
from handlers.presence.models import Action, Announcement, Member, member_of


@dataclass(frozen=True)
class Outgoing:
    """One announcement to publish: on ``channel``, ``payload`` (message id included)."""

    channel: str
    payload: dict[str, Any]


def message_id(announcement: Announcement, member: Member) -> str:
    """The same id for the same change, however often its record is handed over: from the
    write that made it (a leave: the write it removed), and the action."""
    write = member.write_id or f"v{member.version}"
    key = "|".join((announcement.channel, announcement.member_id, write, announcement.action))
    return "p-" + hashlib.sha256(key.encode()).hexdigest()[:40]


def outgoing(
    event_name: str | None,
    old_image: Mapping[str, Any] | None,
    new_image: Mapping[str, Any] | None,
    at: int,
) -> Outgoing | None:
    """The announcement of one stream record (images as plain values), or None (a heartbeat,
    or a write that changed nothing others see)."""
    if event_name == "REMOVE":
        if not old_image:
            return None
        member = member_of(old_image)
        action: Action = "leave"
    elif event_name in ("INSERT", "MODIFY"):
        if not new_image:
            return None
        member = member_of(new_image)
        if member.announce is None:
            return None
        action = member.announce
    else:
        return None
    announcement = Announcement(action, member.channel, member.member_id, member.data, at)
    payload = {**announcement.payload(), "clientMessageId": message_id(announcement, member)}
    return Outgoing(f"/{PRESENCE_NAMESPACE}{announcement.channel}", payload)
