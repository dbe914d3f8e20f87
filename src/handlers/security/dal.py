"""The security service's table: one item per user, questionnaire and question.

``pk`` = ``USER#<user id>#Q#<questionnaire id>``, ``sk`` = the question id. The value is kept
as JSON (answers mix text, numbers, booleans and lists) with the answer's time in epoch
microseconds, so that a late, older answer never replaces a newer one.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from handlers.common.dynamodb import condition_failed, from_attributes, to_attributes
from handlers.common.models import AnswerValue
from handlers.contracts import AnswerSubmitted

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def partition_key(user_id: str, questionnaire_id: str) -> str:
    return f"USER#{user_id}#Q#{questionnaire_id}"


def epoch_us(answer: AnswerSubmitted) -> int:
    return int(answer.submitted_at.timestamp() * 1_000_000)


class DynamoDBAssessmentStore:
    """``logic.AssessmentStore`` over a DynamoDB table keyed by ``pk``/``sk``."""

    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table_name = table_name
        self._client = client

    def record_answer(self, answer: AnswerSubmitted) -> bool:
        submitted = epoch_us(answer)
        try:
            self._client.put_item(
                TableName=self._table_name,
                Item=to_attributes(
                    {
                        "pk": partition_key(answer.user_id, answer.questionnaire_id),
                        "sk": answer.question_id,
                        "valueJson": json.dumps(answer.value),
                        "submittedAtUs": submitted,
                    }
                ),
                ConditionExpression="attribute_not_exists(pk) OR submittedAtUs <= :submitted",
                ExpressionAttributeValues=to_attributes({":submitted": submitted}),
            )
        except ClientError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def answers(self, user_id: str, questionnaire_id: str) -> dict[str, AnswerValue]:
        found: dict[str, AnswerValue] = {}
        paginator = self._client.get_paginator("query")
        pages = paginator.paginate(
            TableName=self._table_name,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=to_attributes(
                {":pk": partition_key(user_id, questionnaire_id)}
            ),
            ConsistentRead=True,
        )
        for page in pages:
            for item in map(from_attributes, page.get("Items", [])):
                found[item["sk"]] = json.loads(item["valueJson"])
        return found
