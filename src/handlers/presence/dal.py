"""Members in DynamoDB: one item per channel and member, a version on every item, and a
sparse index by expiry that the sweep reads.

Table: ``channel`` (S, partition key), ``member`` (S, sort key); attributes ``data`` (M),
``enteredAt``, ``expiresAt``, ``version`` (N), ``shard`` (S) and ``ttl`` (N). The index
``by-expiry`` has ``shard`` (one of ``SHARDS``, from the member's key, so the sweep's reads and
the index's writes spread over partitions) and ``expiresAt``: the sweep queries each shard for
``expiresAt <= now``. ``ttl`` is a day past expiry: if sweeps stop, DynamoDB still removes the
items (without a leave: the alarm on the sweep's failures says so).
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from handlers.common.dynamodb import condition_failed, from_attributes, to_attributes
from handlers.presence.models import Member, member_of

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SHARDS = 4
EXPIRY_INDEX = "by-expiry"
TTL_GRACE_SECONDS = 86400


def shard_of(channel: str, member_id: str) -> str:
    return str(zlib.crc32(f"{channel}\n{member_id}".encode()) % SHARDS)


def _item(member: Member) -> dict[str, Any]:
    item = {
        "channel": member.channel,
        "member": member.member_id,
        "data": member.data,
        "enteredAt": member.entered_at,
        "expiresAt": member.expires_at,
        "version": member.version,
        "shard": shard_of(member.channel, member.member_id),
        "ttl": member.expires_at + TTL_GRACE_SECONDS,
    }
    if member.announce is not None:
        item["announce"] = member.announce
    if member.write_id:
        item["writeId"] = member.write_id
    return item


def _member(item: dict[str, Any]) -> Member:
    return member_of(from_attributes(item))


class DynamoDBMemberStore:
    """``logic.MemberStore`` over the presence table."""

    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client

    def get(self, channel: str, member_id: str) -> Member | None:
        answer = self._client.get_item(
            TableName=self._table,
            Key=to_attributes({"channel": channel, "member": member_id}),
            ConsistentRead=True,
        )
        return _member(answer["Item"]) if "Item" in answer else None

    def put(self, member: Member, *, expected_version: int | None) -> bool:
        params: dict[str, Any] = {"TableName": self._table, "Item": to_attributes(_item(member))}
        if expected_version is None:
            params |= {
                "ConditionExpression": "attribute_not_exists(#c)",
                "ExpressionAttributeNames": {"#c": "channel"},
            }
        else:
            params |= {
                "ConditionExpression": "#v = :v",
                "ExpressionAttributeNames": {"#v": "version"},
                "ExpressionAttributeValues": to_attributes({":v": expected_version}),
            }
        return self._conditional(self._client.put_item, params)

    def _conditional(self, call: Any, params: dict[str, Any]) -> bool:
        """Run a conditional write: False when its condition failed (another writer won)."""
        try:
            call(**params)
        except ClientError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def delete(self, member: Member, *, expired_by: int | None = None) -> bool:
        condition = "#v = :v"
        names = {"#v": "version"}
        values: dict[str, Any] = {":v": member.version}
        if expired_by is not None:
            condition += " AND #e <= :now"
            names["#e"] = "expiresAt"
            values[":now"] = expired_by
        params: dict[str, Any] = {
            "TableName": self._table,
            "Key": to_attributes({"channel": member.channel, "member": member.member_id}),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_attributes(values),
        }
        return self._conditional(self._client.delete_item, params)

    def members(self, channel: str) -> list[Member]:
        found: list[Member] = []
        start: dict[str, Any] | None = None
        while True:
            params: dict[str, Any] = {
                "TableName": self._table,
                "KeyConditionExpression": "#c = :c",
                "ExpressionAttributeNames": {"#c": "channel"},
                "ExpressionAttributeValues": to_attributes({":c": channel}),
                "ConsistentRead": True,
            }
            if start:
                params["ExclusiveStartKey"] = start
            answer = self._client.query(**params)
            found += [_member(i) for i in answer.get("Items", [])]
            start = answer.get("LastEvaluatedKey")
            if not start:
                return found

    def expired(self, now: int, limit: int) -> list[Member]:
        found: list[Member] = []
        for shard in range(SHARDS):
            if len(found) >= limit:
                break
            answer = self._client.query(
                TableName=self._table,
                IndexName=EXPIRY_INDEX,
                KeyConditionExpression="#s = :s AND #e <= :now",
                ExpressionAttributeNames={"#s": "shard", "#e": "expiresAt"},
                ExpressionAttributeValues=to_attributes({":s": str(shard), ":now": now}),
                Limit=limit - len(found),
            )
            found += [_member(i) for i in answer.get("Items", [])]
        return found
