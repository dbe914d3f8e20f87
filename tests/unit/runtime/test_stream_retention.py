"""DynamoDB Streams' retention on the local AWS (``local_runtime.aws.streams``): records older
than the retention are trimmed, and a read at a trimmed position answers AWS's
``TrimmedDataAccessException``, an error botocore's model gives both operations."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local_runtime.aws.server import LocalAws
from local_runtime.faults import Faults
from tests.unit.runtime.shapes import error_problems, operation

KEY, SECRET = "AKIAOPERATOR00000000", "operator-secret"
REGION = "eu-west-1"


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    local = LocalAws(0, {KEY: SECRET}, Faults(), operator_keys=frozenset({KEY}))
    local.start()
    yield local
    local.stop()


def client(aws: LocalAws, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=aws.endpoint,
        region_name=REGION,
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
    )


@pytest.fixture
def stream(aws: LocalAws, request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A fresh table with a stream: (table name, stream ARN)."""
    aws.retention.seconds = 24 * 3600
    name = f"t-{request.node.name[-20:].strip('[]_')}-{time.monotonic_ns() % 10**6}"
    dynamodb = client(aws, "dynamodb")
    arn = dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]["LatestStreamArn"]
    yield name, arn
    aws.retention.seconds = 24 * 3600


def put(aws: LocalAws, table: str, *keys: str) -> None:
    for key in keys:
        client(aws, "dynamodb").put_item(TableName=table, Item={"pk": {"S": key}})


def iterator(aws: LocalAws, arn: str, kind: str, sequence: str | None = None) -> str:
    streams = client(aws, "dynamodbstreams")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    extra = {"SequenceNumber": sequence} if sequence else {}
    answer: str = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType=kind, **extra
    )["ShardIterator"]
    return answer


def records(aws: LocalAws, shard_iterator: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client(aws, "dynamodbstreams").get_records(
        ShardIterator=shard_iterator
    )["Records"]
    return found


def assert_trimmed(exc: pytest.ExceptionInfo[ClientError], name: str) -> None:
    error = exc.value.response["Error"]
    status = exc.value.response["ResponseMetadata"]["HTTPStatusCode"]
    assert error["Code"] == "TrimmedDataAccessException"
    assert "has been trimmed" in error["Message"]
    assert error_problems(operation("dynamodbstreams", name), status, error["Code"]) == []


def test_records_within_the_retention_are_all_read(aws: LocalAws, stream: tuple[str, str]) -> None:
    table, arn = stream
    put(aws, table, "a", "b")
    found = records(aws, iterator(aws, arn, "TRIM_HORIZON"))
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in found] == ["a", "b"]


def test_older_records_are_trimmed_and_the_rest_keep_their_sequence_numbers(
    aws: LocalAws, stream: tuple[str, str]
) -> None:
    table, arn = stream
    put(aws, table, "old-1", "old-2")
    before = records(aws, iterator(aws, arn, "TRIM_HORIZON"))
    time.sleep(1.2)
    put(aws, table, "new")
    newest = records(aws, iterator(aws, arn, "TRIM_HORIZON"))[-1]["dynamodb"]["SequenceNumber"]
    trimmed_so_far = aws.retention.trimmed
    aws.retention.seconds = 1
    left = records(aws, iterator(aws, arn, "TRIM_HORIZON"))
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in left] == ["new"]
    assert left[0]["dynamodb"]["SequenceNumber"] == newest
    assert aws.retention.trimmed - trimmed_so_far >= 2

    # A shard iterator asked at a trimmed sequence number: AWS's refusal.
    old = before[0]["dynamodb"]["SequenceNumber"]
    for kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
        with pytest.raises(ClientError) as refused:
            iterator(aws, arn, kind, old)
        assert_trimmed(refused, "GetShardIterator")
    # The newest record is still there to be read from.
    assert len(records(aws, iterator(aws, arn, "AT_SEQUENCE_NUMBER", newest))) == 1


def test_an_iterator_whose_records_were_trimmed_before_it_was_used_is_refused(
    aws: LocalAws, stream: tuple[str, str]
) -> None:
    table, arn = stream
    put(aws, table, "a")
    waiting = iterator(aws, arn, "TRIM_HORIZON")
    time.sleep(1.2)
    aws.retention.seconds = 1
    with pytest.raises(ClientError) as refused:
        records(aws, waiting)
    assert_trimmed(refused, "GetRecords")
