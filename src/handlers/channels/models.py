"""What may be published on each channel namespace, and what subscribers receive.

Clients publish JSON objects; each is validated against the model of its namespace. The
handler answers with the transformed payload (what subscribers see), or with an error that
names the offending field.
"""

from __future__ import annotations

from typing import Annotated, NotRequired, TypedDict

from pydantic import ConfigDict, Field, StrictStr
from pydantic import StringConstraints as Str

from handlers.common.models import AnswerValue, ContractModel, Identifier


class ChannelModel(ContractModel):
    """The contracts' conventions (camelCase, unknown fields refused, immutable), and text
    stripped of surrounding whitespace, as clients type it.

    Validators are built on a model's first use (``defer_build``): a request touches one
    namespace, so a cold start builds only that namespace's models.
    """

    model_config = ConfigDict(
        **ContractModel.model_config, str_strip_whitespace=True, defer_build=True
    )


# --- chat: /chat/<room> --------------------------------------------------------------------


class ChatMessage(ChannelModel):
    """A message a client publishes to a chat room."""

    text: Annotated[StrictStr, Str(min_length=1, max_length=2000)]
    client_message_id: Identifier | None = Field(
        default=None, description="Chosen by the client, so it can match the echo to its send."
    )


class DeliveredChatMessage(TypedDict):
    """What subscribers of the room receive: personal data masked, sender from the identity.

    Built by the handler from a validated ChatMessage, so a TypedDict (keys as on the wire):
    a second model would only re-validate our own values, 2.5 us of the ~8 us an item cost.
    """

    room: str
    text: str
    sender: str
    sentAt: str  # ISO 8601, UTC, "Z" (keys are the wire names)
    clientMessageId: NotRequired[str]


# --- answers: /answers/<user id> -----------------------------------------------------------


class Answer(ChannelModel):
    """One answer to one question of a questionnaire, published by the user who gives it."""

    questionnaire_id: Identifier
    question_id: Identifier
    value: AnswerValue
