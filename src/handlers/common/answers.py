"""An answer as the answers table holds it: written by the channel handler, read back from
the table's stream by ``handlers.answers_stream``. Declared once, here.

Item: ``pk`` = ``USER#<user id>``, ``sk`` = ``ANSWER#<questionnaire id>#<question id>``, and
the answer's fields under their wire (camelCase) names. Free of boto3: the channel handler
imports it on its cold path.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import StringConstraints as Str

from handlers.common.models import AnswerValue, ContractModel, Identifier


def answer_key(user_id: str, questionnaire_id: str, question_id: str) -> dict[str, str]:
    return {"pk": f"USER#{user_id}", "sk": f"ANSWER#{questionnaire_id}#{question_id}"}


def _plain(value: Any) -> Any:
    """DynamoDB numbers (Decimal) as int or float, in lists too."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


class StoredAnswer(ContractModel):
    """The answer as stored for the async services and echoed to the user's other devices."""

    user_id: Annotated[str, Str(min_length=1, max_length=128)]
    questionnaire_id: Identifier
    question_id: Identifier
    value: AnswerValue
    submitted_at: datetime

    def to_item(self) -> dict[str, Any]:
        """The table item (plain values; ``handlers.common.dynamodb`` types them)."""
        return {
            **answer_key(self.user_id, self.questionnaire_id, self.question_id),
            **self.model_dump(mode="json", by_alias=True),
        }

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> StoredAnswer:
        """The answer of a table item or stream image (deserialised, numbers as Decimal).

        Raises pydantic's ValidationError naming each field that does not fit.
        """
        fields = {name: _plain(value) for name, value in item.items() if name not in ("pk", "sk")}
        return cls.model_validate(fields)
