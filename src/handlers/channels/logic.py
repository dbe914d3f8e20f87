"""Plain logic of the channel handler: validate, transform, authorise. No AWS, no Powertools."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from handlers.channels.identity import USER_ID, Caller
from handlers.channels.models import Answer, ChatMessage, DeliveredChatMessage
from handlers.common.answers import StoredAnswer
from handlers.common.errors import describe_validation_error
from handlers.common.pii import mask_pii

ModelT = TypeVar("ModelT", bound=BaseModel)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class InvalidPayloadError(ValueError):
    """A published item does not fit its channel's model; the message names each field."""


class ChannelRefusedError(PermissionError):
    """The caller may not use this channel (a publish item fails, a subscribe is refused)."""


class UnknownChannelError(LookupError):
    """No namespace of this API is handled here under that path."""


class StorageError(RuntimeError):
    """A valid answer could not be stored; publishing it again is safe (same key)."""


# AppSync Events: 1-5 segments of 1-50 letters, digits or hyphens; ``*`` only as the last
# segment of a subscription, never as the namespace.
_SEGMENT = re.compile(r"[A-Za-z0-9-]{1,50}")


class Channel(NamedTuple):
    """A request's channel, checked: the handler works on these segments, nothing else."""

    namespace: str
    segments: tuple[str, ...]

    @property
    def path(self) -> str:
        return "/" + "/".join(self.segments)


def channel_of(path: Any, namespace: Any, *, subscribe: bool) -> Channel:
    """The channel ``path`` names in ``namespace``; UnknownChannelError for anything else.

    AppSync validates paths before it calls the handler; this check makes the handler safe on
    its own: a path without its leading ``/``, an empty or odd segment, a wildcard in the
    middle (or in a publish), or a namespace that is not the request's own is refused, never
    routed by a looser match.
    """
    text = path if isinstance(path, str) else repr(path)
    if not isinstance(path, str) or not path.startswith("/"):
        raise UnknownChannelError(f"no channel {text} here: a channel path starts with /")
    segments = tuple(path[1:].split("/"))
    if not 1 <= len(segments) <= 5:
        raise UnknownChannelError(f"no channel {text} here: a channel has 1-5 segments")
    for n, segment in enumerate(segments):
        wildcard = subscribe and segment == "*" and n == len(segments) - 1 and n > 0
        if not (wildcard or _SEGMENT.fullmatch(segment)):
            raise UnknownChannelError(
                f"no channel {text} here: segment {segment!r} is not 1-50 letters, digits "
                "or hyphens" + (" (a wildcard only ends a subscription)" if "*" in segment else "")
            )
    if segments[0] != namespace:
        raise UnknownChannelError(f"no channel {text} here: it is not in namespace {namespace}")
    return Channel(namespace=segments[0], segments=segments)


class AnswerStore(Protocol):
    def put_answer(self, answer: StoredAnswer) -> None:
        """Store ``answer``, replacing an earlier answer to the same question.

        Raises StorageError when the store cannot take it.
        """


_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}


def parse_payload(model: type[ModelT], payload: Any) -> ModelT:
    """``payload`` validated into ``model``; InvalidPayloadError says what was wrong."""
    if not isinstance(payload, dict):
        got = _JSON_TYPES.get(type(payload), "number")
        raise InvalidPayloadError(f"payload must be a JSON object, got {got}")
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise InvalidPayloadError("; ".join(describe_validation_error(exc))) from exc


def require_own_channel(caller: Caller, segments: Sequence[str]) -> str:
    """The user id of a private channel ``/<namespace>/<user id>`` that ``caller`` owns.

    Raises ChannelRefusedError otherwise: API key callers have no user id, a deeper or
    wildcard path is not a user's channel, another user's id is not the caller's.
    """
    namespace = segments[0] if segments else "?"
    if caller.user_id is None:
        raise ChannelRefusedError(
            f"/{namespace} channels are private: sign in (Cognito, OIDC, a Cognito identity "
            f"pool or the Lambda authoriser); {caller.why_no_user}"
        )
    expected = f"/{namespace}/{caller.user_id}"
    if len(segments) != 2 or segments[1] != caller.user_id:
        path = "/" + "/".join(segments)
        raise ChannelRefusedError(f"{path} is not your channel; use {expected}")
    return caller.user_id


# Who may subscribe to a namespace's channels (and read their history: the same rule).
OPEN_NAMESPACES = frozenset({"chat"})
PRIVATE_NAMESPACES = frozenset({"answers", "reports"})
# /presence/<namespace>/<segments...>: a channel's presence, watched as the channel is.
PRESENCE_NAMESPACE = "presence"


def watched_by_presence(channel: Channel) -> Channel:
    """The channel whose presence ``/presence/<namespace>/<segments...>`` announces."""
    watched = channel.segments[1:]
    if channel.namespace != PRESENCE_NAMESPACE or not watched:
        raise UnknownChannelError(f"no presence channel {channel.path} here")
    return Channel(namespace=watched[0], segments=watched)


def require_subscription(caller: Caller, channel: Channel) -> None:
    """Whether ``caller`` may subscribe to ``channel``, or read its history.

    Chat rooms are open to every caller the namespace's auth modes let in; ``/answers`` and
    ``/reports`` channels only to their owner (``require_own_channel``). Raises
    ChannelRefusedError or UnknownChannelError, never answers quietly.
    """
    if channel.namespace in OPEN_NAMESPACES:
        return
    if channel.namespace in PRIVATE_NAMESPACES:
        require_own_channel(caller, channel.segments)
        return
    if channel.namespace == PRESENCE_NAMESPACE:
        require_subscription(caller, watched_by_presence(channel))
        return
    raise UnknownChannelError(f"no channel {channel.path} here")


def deliver_chat_message(
    payload: Any, caller: Caller, segments: Sequence[str], now: Clock = utc_now
) -> DeliveredChatMessage:
    """A chat item as subscribers receive it: validated, personal data masked, sender set."""
    message = parse_payload(ChatMessage, payload)
    delivered: DeliveredChatMessage = {
        "room": "/".join(segments[1:]),
        "text": mask_pii(message.text),
        "sender": caller.label,
        "sentAt": now().isoformat().replace("+00:00", "Z"),
    }
    if message.client_message_id is not None:
        delivered["clientMessageId"] = message.client_message_id
    return delivered


def submit_answer(
    payload: Any,
    caller: Caller,
    segments: Sequence[str],
    store: Callable[[], AnswerStore],
    now: Clock = utc_now,
) -> dict[str, Any]:
    """Store an answer of the caller (its own channel only) and echo what was stored.

    ``store`` is asked for only once the answer is known to be valid and the caller's own.
    """
    user_id = require_own_channel(caller, segments)
    answer = parse_payload(Answer, payload)
    stored = StoredAnswer(
        user_id=user_id,
        questionnaire_id=answer.questionnaire_id,
        question_id=answer.question_id,
        value=answer.value,
        submitted_at=now(),
    )
    store().put_answer(stored)
    return stored.model_dump(mode="json", by_alias=True)


def deliver_report(payload: Any, caller: Caller, segments: Sequence[str]) -> dict[str, Any]:
    """A report as its user's subscribers receive it: only the platform's services publish
    them, and only to ``/reports/<user id>``."""
    if caller.service is None:
        raise ChannelRefusedError("/reports channels are published by the platform only")
    if len(segments) != 2 or not USER_ID.fullmatch(segments[1]):
        path = "/" + "/".join(segments)
        raise ChannelRefusedError(f"{path} is not a user's report channel")
    return _service_payload(payload)


def _service_payload(payload: Any) -> dict[str, Any]:
    """A platform service's payload: a JSON object whose ``clientMessageId``, if any, is an
    id a durable channel can keep."""
    if not isinstance(payload, dict):
        got = _JSON_TYPES.get(type(payload), "number")
        raise InvalidPayloadError(f"payload must be a JSON object, got {got}")
    message_id = payload.get("clientMessageId")
    if message_id is not None and not (
        isinstance(message_id, str) and _MESSAGE_ID.fullmatch(message_id)
    ):
        raise InvalidPayloadError(
            "clientMessageId must be 1-64 letters, digits, '_', '.', ':' or '-', "
            "starting with a letter or digit"
        )
    return payload


_MESSAGE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")


def deliver_presence(payload: Any, caller: Caller, segments: Sequence[str]) -> dict[str, Any]:
    """An announcement on ``/presence/<channel>``: published by the platform's presence
    service only (members enter through the presence API), about the channel it names."""
    if caller.service is None:
        raise ChannelRefusedError(
            "/presence channels are published by the platform only: enter, update and leave "
            "through the presence API"
        )
    checked = _service_payload(payload)
    channel = "/" + "/".join(segments[1:])
    if checked.get("channel") != channel:
        raise InvalidPayloadError(f"channel must be {channel}, the channel this one announces for")
    if checked.get("action") not in ("enter", "update", "leave"):
        raise InvalidPayloadError("action must be enter, update or leave")
    return checked


def message_id_of(payload: Mapping[str, Any]) -> str | None:
    """The publisher's own message id of a delivered payload (``clientMessageId``)."""
    value = payload.get("clientMessageId")
    return value if isinstance(value, str) else None
