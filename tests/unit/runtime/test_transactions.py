"""TransactWriteItems on the local AWS: moto's answers, without its whole-table copies
(``local_runtime.aws.transactions``): a refused transaction leaves every item and stream as
it was, an accepted one writes every item, and no table is copied."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models.table import Table

from local_runtime.aws import transactions

REGION = "eu-west-1"


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    transactions.install()
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(
            TableName="t",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
            ],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        yield client


def put(value: str, sk: int, condition: bool = False) -> dict[str, Any]:
    op: dict[str, Any] = {
        "TableName": "t",
        "Item": {"pk": {"S": "a"}, "sk": {"N": str(sk)}, "v": {"S": value}},
    }
    if condition:
        op["ConditionExpression"] = "attribute_not_exists(pk)"
    return {"Put": op}


def items(client: Any) -> list[tuple[int, str]]:
    found = client.scan(TableName="t")["Items"]
    return sorted((int(i["sk"]["N"]), i["v"]["S"]) for i in found)


def stream_records(client: Any) -> int:
    """How many stream records the table holds (read from moto's backend: its
    DynamoDB Streams API does not describe a stream of an in-process table)."""
    from moto.core.models import DEFAULT_ACCOUNT_ID  # noqa: PLC0415
    from moto.dynamodb.models import dynamodb_backends  # noqa: PLC0415

    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables["t"]
    assert table.stream_shard is not None
    return len(table.stream_shard.items)


def test_an_accepted_transaction_writes_every_item(dynamodb: Any) -> None:
    dynamodb.transact_write_items(TransactItems=[put("one", 1), put("two", 2, condition=True)])
    assert items(dynamodb) == [(1, "one"), (2, "two")]
    assert stream_records(dynamodb) == 2


def test_a_refused_transaction_changes_nothing_and_names_each_reason(dynamodb: Any) -> None:
    dynamodb.transact_write_items(TransactItems=[put("kept", 2)])
    before = stream_records(dynamodb)
    with pytest.raises(ClientError) as refused:
        dynamodb.transact_write_items(
            TransactItems=[put("new", 1), put("over", 2), put("again", 2, condition=True)]
        )
    # AWS's answer to one item twice in a transaction ("Transaction request cannot include
    # multiple operations on one item"), which moto gives after "new" was written
    error = refused.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "ValidationException",
        "Transaction request cannot include multiple operations on one item",
    )
    assert items(dynamodb) == [(2, "kept")]
    assert stream_records(dynamodb) == before


def test_a_failed_condition_after_a_written_item_puts_it_back(dynamodb: Any) -> None:
    dynamodb.transact_write_items(TransactItems=[put("kept", 2)])
    with pytest.raises(ClientError) as refused:
        dynamodb.transact_write_items(
            TransactItems=[put("new", 1), put("replaced", 3), put("dup", 2, condition=True)]
        )
    reasons = [r["Code"] for r in refused.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "ConditionalCheckFailed"]
    assert items(dynamodb) == [(2, "kept")]


def test_no_table_is_copied(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    copied: list[str] = []
    real = copy.deepcopy

    def watching(value: Any, memo: Any = None) -> Any:
        if isinstance(value, Table):
            copied.append(value.name)
        return real(value, memo)

    monkeypatch.setattr(copy, "deepcopy", watching)
    dynamodb.transact_write_items(TransactItems=[put("one", 1), put("two", 2)])
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=[put("x", 1, condition=True)])
    assert copied == []
