"""Turning a stored answer (a stream record's new image) into ``AnswerSubmitted``."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

from pydantic import ValidationError

from handlers.common.errors import describe_validation_error
from handlers.contracts import AnswerSubmitted

# The attributes of an answers-table item that make the event (see handlers/channels/dal.py).
_FIELDS = ("userId", "questionnaireId", "questionId", "value", "submittedAt")


class InvalidAnswerRecordError(ValueError):
    """The stored item does not make a valid ``AnswerSubmitted``; the message names each field."""


def plain(value: Any) -> Any:
    """DynamoDB numbers (Decimal) as int or float, in lists too."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    return value


def answer_submitted(
    new_image: Mapping[str, Any], change: Literal["created", "updated"]
) -> AnswerSubmitted:
    """The event detail of a stored answer; InvalidAnswerRecordError when it does not fit."""
    detail = {name: plain(new_image[name]) for name in _FIELDS if name in new_image}
    try:
        return AnswerSubmitted.model_validate({**detail, "change": change})
    except ValidationError as exc:
        raise InvalidAnswerRecordError("; ".join(describe_validation_error(exc))) from exc
