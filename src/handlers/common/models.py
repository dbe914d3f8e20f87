"""Base model and field types shared by event contracts and channel payloads.

Kept free of heavier imports (the Powertools parser) so that handlers on a latency-sensitive
path, such as the AppSync channel handler, can use them cheaply.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr
from pydantic import StringConstraints as Str
from pydantic.alias_generators import to_camel


class ContractModel(BaseModel):
    """Base of every event detail: camelCase on the wire, unknown fields refused."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
    )


Identifier = Annotated[str, Str(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")]


AnswerValue = (
    Annotated[StrictStr, Str(min_length=1, max_length=1000)]
    | StrictBool
    | StrictInt
    | StrictFloat
    | Annotated[list[Annotated[StrictStr, Str(max_length=200)]], Field(min_length=1, max_length=50)]
)
"""The value of one answer: what a user may publish, what the answers table and
``AnswerSubmitted`` carry. Defined once."""
