"""The answers table, read side: ``Query`` on the user's partition, one questionnaire's keys.

Items are written by the channel handler (``handlers.common.answers``): partition
``USER#<user id>``, sort key ``ANSWER#<questionnaire id>#<question id>``, one item a question
(a new answer replaces the old one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers.common.answers import StoredAnswer
from handlers.common.dynamodb import from_attributes, to_attributes

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# A questionnaire has a handful of questions, so one page holds them all; the bound only
# keeps a table that someone filled by hand from holding a request.
MAX_PAGES = 10


class DynamoDBAnswerReader:
    """``logic.AnswerReader`` over the answers table (``dynamodb:Query`` only)."""

    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table_name = table_name
        self._client = client

    def answers_of(self, user_id: str, questionnaire_id: str) -> list[StoredAnswer]:
        query: dict[str, Any] = {
            "TableName": self._table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": to_attributes(
                {":pk": f"USER#{user_id}", ":prefix": f"ANSWER#{questionnaire_id}#"}
            ),
            "ConsistentRead": True,  # an answer saved a moment ago is shown as saved
        }
        answers: list[StoredAnswer] = []
        for _ in range(MAX_PAGES):
            page = self._client.query(**query)
            answers += [StoredAnswer.from_item(from_attributes(i)) for i in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                break
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return answers
