"""Channel paths as AppSync Events takes them: ``/<namespace>/<segment>/...``, 1 to 5 segments
of letters, digits and hyphens (at most 50 each); a subscription may end in ``/*``; and the
limits of a publish."""

from __future__ import annotations

import re
from typing import Any

MAX_EVENTS = 5
MAX_EVENT_BYTES = 240 * 1024
# How deep an event's JSON may nest (AWS documents no limit; EventBridge's, 1000, is used).
MAX_EVENT_DEPTH = 1000
# A WebSocket message or HTTP body larger than this is refused with an error, the connection
# kept: five events at their limit, twice over for the escaping of a JSON string in a JSON
# message, and room for the envelope (AWS documents no message limit).
MAX_MESSAGE_BYTES = 2 * MAX_EVENTS * MAX_EVENT_BYTES + 64 * 1024
_SEGMENT = re.compile(r"^[A-Za-z0-9-]{1,50}$")


def channel_problem(channel: Any, wildcard: bool) -> str | None:
    """Why ``channel`` is not a channel path AppSync accepts, or None."""
    if not isinstance(channel, str) or not channel.startswith("/"):
        return "Invalid Channel Format"
    segments = channel[1:].split("/")
    if not 1 <= len(segments) <= 5:
        return "Invalid Channel Format"
    for n, segment in enumerate(segments):
        last = n == len(segments) - 1
        if segment == "*" and wildcard and last and n > 0:
            continue
        if not _SEGMENT.match(segment):
            return "Invalid Channel Format"
    return None


def matches(subscription: str, channel: str) -> bool:
    """A subscription path matches a publish path exactly, or by a trailing ``/*``."""
    if subscription.endswith("/*"):
        return channel.startswith(subscription[:-1])
    return subscription == channel
