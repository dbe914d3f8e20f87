"""The user service's stream logic: stored answers -> ``AnswerSubmitted`` entries -> the bus.

No Powertools here: the handler hands in each record's event name and new image (the item as
``handlers.common.answers`` declares it) and the function that puts entries on the bus.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from pydantic import ValidationError

from handlers.common.answers import StoredAnswer
from handlers.common.errors import describe_validation_error
from handlers.common.failures import PermanentError
from handlers.contracts import ANSWER_SUBMITTED, AnswerSubmitted

if TYPE_CHECKING:
    from handlers.common.bus import EntryFailure

Record = TypeVar("Record")
Entry = dict[str, Any]
PutEntries = Callable[[Sequence[Entry]], "list[EntryFailure | None]"]

# What each stream event name announces; REMOVE announces nothing.
_CHANGES: dict[str, Literal["created", "updated"]] = {"INSERT": "created", "MODIFY": "updated"}


class InvalidAnswerRecordError(PermanentError, ValueError):
    """The stored item does not make a valid ``AnswerSubmitted`` (permanent); the message
    names each field."""


def answer_submitted(
    new_image: Mapping[str, Any], change: Literal["created", "updated"]
) -> AnswerSubmitted:
    """The event detail of a stored answer; InvalidAnswerRecordError when it does not fit."""
    try:
        stored = StoredAnswer.from_item(new_image)
        return AnswerSubmitted.model_validate({**stored.model_dump(), "change": change})
    except ValidationError as exc:
        raise InvalidAnswerRecordError("; ".join(describe_validation_error(exc))) from exc


def entry_of(event_name: str | None, new_image: Mapping[str, Any], bus_name: str) -> Entry | None:
    """The PutEvents entry of one stream record; None for a REMOVE (nothing to announce)."""
    change = _CHANGES.get(event_name or "")
    if change is None:
        return None
    return ANSWER_SUBMITTED.entry(answer_submitted(new_image, change), bus_name)


@dataclass(frozen=True)
class Poisoned:
    """A record that can never be announced, and why (it goes to the poison queue)."""

    reason: str


def entry_or_poison(
    event_name: str | None, new_image: Mapping[str, Any], bus_name: str
) -> Entry | Poisoned | None:
    """``entry_of``, with an item that can never make an event marked as poisoned."""
    try:
        return entry_of(event_name, new_image, bus_name)
    except InvalidAnswerRecordError as exc:
        return Poisoned(str(exc))


@dataclass
class Announced(Generic[Record]):
    """What became of the entries of one batch: put; not put for now (transient, retried);
    or never to be put (permanent, poisoned), each with EventBridge's reason."""

    published: list[Record] = field(default_factory=list)
    failed: list[tuple[Record, EntryFailure]] = field(default_factory=list)
    poisoned: list[tuple[Record, EntryFailure]] = field(default_factory=list)


def announce(ready: Sequence[tuple[Record, Entry]], put: PutEntries) -> Announced[Record]:
    """Put the entries of ``ready`` on the bus (``put`` batches them) and sort their records
    into published and failed, each failure with EventBridge's reason."""
    outcome: Announced[Record] = Announced()
    if not ready:
        return outcome
    failures = put([entry for _, entry in ready])
    for (record, _), failure in zip(ready, failures, strict=True):
        if failure is None:
            outcome.published.append(record)
        elif failure.permanent:
            outcome.poisoned.append((record, failure))
        else:
            outcome.failed.append((record, failure))
    return outcome
