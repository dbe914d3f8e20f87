"""Plain logic of the channel handler: validate, transform, authorise. No AWS, no Powertools."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from handlers.channels.identity import Caller
from handlers.channels.models import Answer, ChatMessage, DeliveredChatMessage, StoredAnswer
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
            f"/{namespace} channels are private: sign in (Cognito, OIDC, IAM or the Lambda "
            f"authoriser); {caller.kind.value} callers have no user id"
        )
    expected = f"/{namespace}/{caller.user_id}"
    if len(segments) != 2 or segments[1] != caller.user_id:
        path = "/" + "/".join(segments)
        raise ChannelRefusedError(f"{path} is not your channel; use {expected}")
    return caller.user_id


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
