"""Data access for orders: one conditional put per order, nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from handlers.common.dynamodb import condition_failed, to_attributes

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoDBOrderStore:
    """``logic.OrderStore`` over a DynamoDB table keyed by ``pk``: a second put of the same
    key is refused."""

    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table_name = table_name
        self._client = client

    def put_if_absent(self, item: dict[str, Any]) -> bool:
        try:
            self._client.put_item(
                TableName=self._table_name,
                Item=to_attributes(item),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as exc:
            if condition_failed(exc):
                return False
            raise
        return True
