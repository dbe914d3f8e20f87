"""Data access of the channel handler: answers (one item per user, questionnaire and
question; ``handlers.common.answers`` declares the item) and channel history
(``handlers.common.history`` lays out its table).

Imported only when something is stored: boto3 costs cold start a subscription does not need.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from handlers.channels.history import Seen
from handlers.channels.logic import InvalidPayloadError, StorageError
from handlers.common.dynamodb import from_attributes, to_attributes
from handlers.common.failures import classify, error_code
from handlers.common.history import COUNTER_SK, KeptEvent, message_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

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


class DynamoDBHistoryStore:
    """``history.HistoryStore`` over the history table (``handlers.common.history`` lays it
    out): ``UpdateItem`` on the counter, ``BatchGetItem`` of message ids, and the events
    written with ``BatchWriteItem``, or ``TransactWriteItems`` when they carry message ids
    (each id recorded only if no other publish recorded it first)."""

    def __init__(self, table_name: str, client: DynamoDBClient, attempts: int = 3) -> None:
        self._table_name = table_name
        self._client = client
        self._attempts = attempts

    def allocate(self, channel: str, count: int) -> int:
        try:
            answer = self._client.update_item(
                TableName=self._table_name,
                Key=to_attributes({"pk": channel, "sk": COUNTER_SK}),
                UpdateExpression="ADD #last :count",
                ExpressionAttributeNames={"#last": "last"},
                ExpressionAttributeValues=to_attributes({":count": count}),
                ReturnValues="UPDATED_NEW",
            )
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(_unkept(exc)) from exc
        return int(from_attributes(answer["Attributes"])["last"])

    def seen(self, channel: str, message_ids: Sequence[str]) -> dict[str, Seen]:
        keys = [
            to_attributes({"pk": message_pk(channel, m), "sk": COUNTER_SK}) for m in message_ids
        ]
        found: dict[str, Seen] = {}
        request: dict[str, Any] = {self._table_name: {"Keys": keys, "ConsistentRead": True}}
        for _ in range(self._attempts):
            try:
                answer = self._client.batch_get_item(RequestItems=request)
            except (ClientError, BotoCoreError) as exc:
                raise StorageError(_unkept(exc)) from exc
            for raw in answer.get("Responses", {}).get(self._table_name, []):
                item = from_attributes(raw)
                message_id = str(item["pk"]).rpartition("#message#")[2]
                found[message_id] = Seen(seq=int(item["seq"]), id=str(item["id"]))
            request = dict(answer.get("UnprocessedKeys") or {})
            if not request:
                return found
        raise StorageError("the channel's message ids could not be read; publish again")

    def write(self, events: Sequence[KeptEvent]) -> set[str]:
        if any(e.message_id is not None for e in events):
            return self._write_recorded(events)
        request: dict[str, Any] = {
            self._table_name: [{"PutRequest": {"Item": to_attributes(e.to_item())}} for e in events]
        }
        for _ in range(self._attempts):
            try:
                answer = self._client.batch_write_item(RequestItems=request)
            except (ClientError, BotoCoreError) as exc:
                raise StorageError(_unkept(exc)) from exc
            request = dict(answer.get("UnprocessedItems") or {})
            if not request:
                return set()
        raise StorageError("the events could not be kept (throttled); publish them again")

    def _write_recorded(self, events: Sequence[KeptEvent]) -> set[str]:
        items: list[TransactWriteItemTypeDef] = []
        recorded: list[str | None] = []  # the message id of each transaction item, if any
        for event in events:
            items.append(
                {"Put": {"TableName": self._table_name, "Item": to_attributes(event.to_item())}}
            )
            recorded.append(None)
            if event.message_id is not None:
                items.append(
                    {
                        "Put": {
                            "TableName": self._table_name,
                            "Item": to_attributes(event.message_item(event.message_id)),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    }
                )
                recorded.append(event.message_id)
        try:
            self._client.transact_write_items(TransactItems=items)
        except (ClientError, BotoCoreError) as exc:
            reasons = getattr(exc, "response", {}).get("CancellationReasons") or []
            raced = {
                message_id
                for message_id, reason in zip(recorded, reasons, strict=False)
                if message_id is not None and reason.get("Code") == "ConditionalCheckFailed"
            }
            if raced:
                return raced
            raise StorageError(_unkept(exc)) from exc
        return set()


def _unkept(exc: ClientError | BotoCoreError) -> str:
    code = error_code(exc) or type(exc).__name__
    return f"the events could not be kept ({code}); publish them again"
