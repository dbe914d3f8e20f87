"""Data access for answers: one item per user, questionnaire and question.

Imported only when an answer is stored: boto3 costs cold start the chat path does not need.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from handlers.channels.logic import StorageError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from handlers.channels.models import StoredAnswer


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
