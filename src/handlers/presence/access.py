"""Who may be present where, and what a presence request asks. Plain logic, no AWS.

A channel's presence is read and entered as the channel is subscribed to: the caller is judged
by the channel handler's identity rules and the channel by ``require_subscription``, the one
rule the subscribe handler and the history API apply. A member is a signed-in user: a caller
without a user id (an API key, a platform service) cannot enter. Announcements go out on the
companion channel ``/presence/<namespace>/<segments...>``, so presence is kept for channels of
at most four segments (AppSync Events allows five in all).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ValidationError

from handlers.channels.identity import Caller
from handlers.channels.logic import (
    Channel,
    ChannelRefusedError,
    UnknownChannelError,
    channel_of,
    require_subscription,
)
from handlers.common.errors import describe_validation_error
from handlers.common.models import ContractModel

PRESENCE_NAMESPACE = "presence"
MAX_SEGMENTS = 4


class PresenceRequestError(ValueError):
    """The request is malformed; the message says what to change (HTTP 400)."""


class PresenceRefusedError(PermissionError):
    """The caller may not be present on, or read the presence of, this channel (HTTP 403)."""


class NoPresenceError(LookupError):
    """No such namespace, or presence is off on it (HTTP 404)."""


class PresenceRequest(ContractModel):
    """``POST <presence_url>/<namespace>/<segments...>``: what the member does."""

    action: Literal["enter", "update", "heartbeat", "leave"]
    data: dict[str, Any] | None = None  # validated and masked by logic.parse_data


def presence_channel(path: str, namespaces: frozenset[str]) -> Channel:
    """The channel ``path`` (``<namespace>/<segments...>``) names, if it has presence."""
    namespace = path.split("/", 1)[0]
    try:
        channel = channel_of("/" + path, namespace, subscribe=False)
    except UnknownChannelError as exc:
        raise PresenceRequestError(str(exc)) from exc
    if channel.namespace not in namespaces:
        raise NoPresenceError(f"no presence on {channel.path}: namespace {namespace!r} keeps none")
    if len(channel.segments) > MAX_SEGMENTS:
        raise PresenceRequestError(
            f"no presence on {channel.path}: presence is kept for channels of at most "
            f"{MAX_SEGMENTS} segments (its channel /{PRESENCE_NAMESPACE}{channel.path} would "
            "have one more than AppSync Events allows)"
        )
    return channel


def require_reader(caller: Caller, channel: Channel) -> None:
    """Whether ``caller`` may read or watch ``channel``'s presence: as a subscription to it."""
    try:
        require_subscription(caller, channel)
    except ChannelRefusedError as exc:
        raise PresenceRefusedError(str(exc)) from exc
    except UnknownChannelError as exc:
        raise NoPresenceError(str(exc)) from exc


def require_member(caller: Caller, channel: Channel) -> str:
    """The user id ``caller`` is present as on ``channel``; a reader with a user id only."""
    require_reader(caller, channel)
    if caller.user_id is None:
        reason = caller.why_no_user or "the caller is not a signed-in user"
        raise PresenceRefusedError(f"presence needs a signed-in user: {reason}")
    return caller.user_id


def parse_request(body: Any) -> PresenceRequest:
    """The request body, validated; PresenceRequestError names the field that is wrong."""
    if not isinstance(body, dict):
        raise PresenceRequestError(
            f"the body must be a JSON object with an action, got {type(body).__name__}"
        )
    try:
        return PresenceRequest.model_validate(body)
    except ValidationError as exc:
        raise PresenceRequestError("; ".join(describe_validation_error(exc))) from exc


def announce_channel(channel: Channel) -> str:
    """Where ``channel``'s presence is announced: ``/presence/<namespace>/<segments...>``."""
    return f"/{PRESENCE_NAMESPACE}{channel.path}"
