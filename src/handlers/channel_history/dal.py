"""The history table, read side (``handlers.common.history`` lays it out): ``Query`` only,
strongly consistent, so an event a subscriber just received is never missing from a
catch-up it triggers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.channel_history.logic import Page
from handlers.common.dynamodb import from_attributes, to_attributes
from handlers.common.history import KeptEvent

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoDBHistoryReader:
    """``logic.HistoryReader`` over the history table (``dynamodb:Query`` only)."""

    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table_name = table_name
        self._client = client

    def events_after(self, channel: str, after: int, limit: int) -> Page:
        answer = self._client.query(
            TableName=self._table_name,
            KeyConditionExpression="pk = :pk AND sk > :after",
            ExpressionAttributeValues=to_attributes({":pk": channel, ":after": after}),
            ScanIndexForward=True,
            ConsistentRead=True,
            Limit=limit,
        )
        events = [KeptEvent.from_item(from_attributes(i)) for i in answer.get("Items", [])]
        return Page(events=events, more="LastEvaluatedKey" in answer)
