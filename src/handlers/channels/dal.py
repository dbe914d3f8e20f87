"""Data access for answers: one item per user, questionnaire and question
(``handlers.common.answers`` declares the item).

Imported only when an answer is stored: boto3 costs cold start the chat path does not need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from handlers.channels.logic import InvalidPayloadError, StorageError
from handlers.common.dynamodb import to_attributes
from handlers.common.failures import classify, error_code

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from handlers.common.answers import StoredAnswer


class DynamoDBAnswerStore:
    """Answers in a DynamoDB table keyed by ``pk``/``sk``; its stream feeds the async services."""

    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table_name = table_name
        self._client = client

    def put_answer(self, answer: StoredAnswer) -> None:
        try:
            self._client.put_item(TableName=self._table_name, Item=to_attributes(answer.to_item()))
        except (ClientError, BotoCoreError) as exc:
            if classify(exc) == "permanent":
                # The value itself cannot be stored: publishing it again cannot help.
                message = getattr(exc, "response", {}).get("Error", {}).get("Message", "")
                raise InvalidPayloadError(
                    f"answer refused: it cannot be stored ({error_code(exc)}: {message})"
                ) from exc
            raise StorageError("the answer could not be stored; publish it again") from exc
