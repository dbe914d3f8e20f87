"""Data access for answers: one item per user, questionnaire and question."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from handlers.channels.models import StoredAnswer


class StorageError(RuntimeError):
    """A valid answer could not be stored; publishing it again is safe (same key)."""


class AnswerStore(Protocol):
    def put_answer(self, answer: StoredAnswer) -> None:
        """Store ``answer``, replacing an earlier answer to the same question.

        Raises StorageError when the store cannot take it.
        """


def answer_key(user_id: str, questionnaire_id: str, question_id: str) -> dict[str, str]:
    return {"pk": f"USER#{user_id}", "sk": f"ANSWER#{questionnaire_id}#{question_id}"}


def answer_item(answer: StoredAnswer) -> dict[str, Any]:
    """The table item of ``answer`` (numbers as Decimal, as DynamoDB wants them)."""
    value: Any = answer.value
    if isinstance(value, float):
        value = Decimal(str(value))
    return {
        **answer_key(answer.user_id, answer.questionnaire_id, answer.question_id),
        "userId": answer.user_id,
        "questionnaireId": answer.questionnaire_id,
        "questionId": answer.question_id,
        "value": value,
        "submittedAt": answer.submitted_at.isoformat(),
    }


class DynamoDBAnswerStore:
    """Answers in a DynamoDB table keyed by ``pk``/``sk``; its stream feeds the async services."""

    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table_name = table_name
        self._client = client
        self._serializer = TypeSerializer()

    def put_answer(self, answer: StoredAnswer) -> None:
        item = answer_item(answer)
        try:
            self._client.put_item(
                TableName=self._table_name,
                Item={k: self._serializer.serialize(v) for k, v in item.items()},
            )
        except (ClientError, BotoCoreError) as exc:
            raise StorageError("the answer could not be stored; publish it again") from exc
