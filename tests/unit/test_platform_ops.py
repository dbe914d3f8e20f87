"""platform-ops against moto in process (SQS, DynamoDB and its stream, EventBridge); Lambda's
Invoke is a recording double here (moto would need Docker to run a function), and the real
one on `make local` (tests/local/test_ops.py)."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from platform_ops.cli import main
from platform_ops.deployment import Deployment
from platform_ops.messages import decode
from tests.unit.aws import REGION, create_table

FUNCTION = "arn:aws:lambda:eu-west-1:123456789012:function:p-notify"
STREAMS_ENDPOINT = f"https://streams.dynamodb.{REGION}.amazonaws.com"
STREAM_FUNCTION = "arn:aws:lambda:eu-west-1:123456789012:function:p-answers-stream"


@dataclass
class RecordingLambda:
    """Lambda's Invoke, recorded; ``fail`` makes it refuse (HTTP 500 as a ClientError)."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    fail: bool = False
    # Run inside each call (before it answers): a slow function, a look at the queue meanwhile.
    during: Callable[[], None] | None = None
    # Raised by the first calls, one each (Lambda refusing: throttled, not found ...).
    errors: list[Exception] = field(default_factory=list)

    def invoke(self, FunctionName: str, InvocationType: str, Payload: bytes) -> dict[str, Any]:  # noqa: N803
        if self.during is not None:
            self.during()
        if self.errors:
            raise self.errors.pop(0)
        if self.fail:
            return {"StatusCode": 500}
        payload = json.loads(Payload)
        self.calls.append({"function": FunctionName, "type": InvocationType, "payload": payload})
        if InvocationType == "Event":
            return {"StatusCode": 202}
        return {"StatusCode": 200, "Payload": io.BytesIO(b'{"batchItemFailures": []}')}


class OpsDeployment(Deployment):
    lam: RecordingLambda

    def client(self, service: str) -> Any:
        if service == "lambda":
            return self.lam
        return client(service)


def client(service: str) -> Any:
    # moto serves DynamoDB Streams in process on the classic endpoint only.
    endpoint = STREAMS_ENDPOINT if service == "dynamodbstreams" else None
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint)


@pytest.fixture
def ops(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpsDeployment]:
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        queues = {
            key: sqs.create_queue(QueueName=key.replace(":", "-").replace("/", "-"))["QueueUrl"]
            for key in (
                "function:notify",
                "p-notify/notify",
                "stream:answers",
                "stream:presence",
                "poison",
            )
        }
        deployment = OpsDeployment(queues=queues, region=REGION, answers_table="p-answers")
        deployment.lam = RecordingLambda()
        monkeypatch.setattr("platform_ops.cli.deployment_of", lambda values: deployment)
        monkeypatch.setattr("platform_ops.cli.read_outputs", lambda outputs, tf: {})
        yield deployment


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def send(
    deployment: Deployment, key: str, body: Any, attributes: dict[str, str] | None = None
) -> None:
    boto3.client("sqs", region_name=REGION).send_message(
        QueueUrl=deployment.queues[key],
        MessageBody=json.dumps(body),
        MessageAttributes={
            k: {"DataType": "String", "StringValue": v} for k, v in (attributes or {}).items()
        },
    )


def depth(deployment: Deployment, key: str) -> int:
    attributes = boto3.client("sqs", region_name=REGION).get_queue_attributes(
        QueueUrl=deployment.queues[key],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


EVENT = {
    "version": "0",
    "id": "e-1",
    "source": "platform.ingest",
    "detail-type": "UploadReceived.v3",
    "resources": ["customer/c-1"],
    "detail": {"orderId": "o-1"},
}
LAMBDA_RECORD = {
    "version": "1.0",
    "timestamp": "2026-11-24T08:00:00.000Z",
    "requestContext": {
        "requestId": "r-1",
        "functionArn": f"{FUNCTION}:$LATEST",
        "condition": "RetriesExhausted",
        "approximateInvokeCount": 3,
    },
    "requestPayload": EVENT,
    "responseContext": {"statusCode": 200, "functionError": "Unhandled"},
    "responsePayload": {"errorType": "WebhookError", "errorMessage": "webhook answered HTTP 503"},
}


def test_each_kind_is_decoded_with_its_error_place_and_attempts() -> None:
    dlq = decode(
        {
            "MessageId": "m1",
            "Body": json.dumps(EVENT),
            "MessageAttributes": {
                "RULE_ARN": {"StringValue": "arn:aws:events:eu-west-1:1:rule/p-events/p-notify"},
                "TARGET_ARN": {"StringValue": FUNCTION},
                "ERROR_CODE": {"StringValue": "SDK_CLIENT_ERROR"},
                "ERROR_MESSAGE": {"StringValue": "timed out"},
            },
        }
    )
    assert (dlq.kind, dlq.where, dlq.error) == (
        "eventbridge",
        f"rule p-notify -> {FUNCTION}",
        "SDK_CLIENT_ERROR: timed out",
    )
    record = decode({"MessageId": "m2", "Body": json.dumps(LAMBDA_RECORD)})
    assert (record.kind, record.attempts, record.event) == ("lambda", "3", EVENT)
    assert record.error == "WebhookError: webhook answered HTTP 503"
    poison = decode(
        {
            "MessageId": "m3",
            "Body": json.dumps(
                {"kind": "permanent", "function": "p-x", "reason": "bad", "payload": EVENT}
            ),
        }
    )
    assert (poison.kind, poison.error, poison.where) == ("poison", "bad", "p-x")
    assert decode({"MessageId": "m4", "Body": "not json"}).kind == "unknown"


def test_list_shows_every_queue_with_its_depth(ops: OpsDeployment) -> None:
    send(ops, "function:notify", LAMBDA_RECORD)
    send(ops, "function:notify", LAMBDA_RECORD)
    code, out = run("list")
    assert code == 0
    lines = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    assert set(lines) == {
        "function:notify",
        "p-notify/notify",
        "stream:answers",
        "stream:presence",
        "poison",
    }
    assert lines["function:notify"][1] == "2"
    assert lines["poison"][1] == "0"


def test_show_and_a_dry_run_change_nothing(ops: OpsDeployment) -> None:
    send(ops, "function:notify", LAMBDA_RECORD)
    code, out = run("show", "function:notify")
    assert code == 0
    assert "WebhookError: webhook answered HTTP 503" in out
    code, out = run("redrive", "function:notify")
    assert code == 0
    assert "dry run: 1 message(s) would be redriven" in out
    assert ops.lam.calls == []
    assert depth(ops, "function:notify") == 1
    # Released at once, not hidden for the visibility timeout.
    assert run("show", "function:notify")[1].count("[lambda]") == 1


def test_a_lambda_record_is_invoked_again_with_its_payload_then_deleted(
    ops: OpsDeployment,
) -> None:
    send(ops, "function:notify", LAMBDA_RECORD)
    code, out = run("redrive", "function:notify", "--yes")
    assert code == 0, out
    assert ops.lam.calls == [{"function": "p-notify", "type": "Event", "payload": EVENT}]
    assert depth(ops, "function:notify") == 0
    assert "moved 1, failed 0" in out


def test_a_failed_redrive_leaves_the_message_in_place(ops: OpsDeployment) -> None:
    send(ops, "function:notify", LAMBDA_RECORD)
    ops.lam.fail = True
    code, out = run("redrive", "function:notify", "--yes")
    assert code == 1
    assert "moved 0, failed 1" in out
    assert depth(ops, "function:notify") == 1
    assert run("show", "function:notify")[1].count("[lambda]") == 1  # visible again


def test_an_eventbridge_dead_letter_goes_to_its_target_or_back_on_the_bus(
    ops: OpsDeployment,
) -> None:
    attributes = {
        "RULE_ARN": "arn:aws:events:eu-west-1:123456789012:rule/p-events/p-notify",
        "TARGET_ARN": FUNCTION,
        "ERROR_CODE": "SDK_CLIENT_ERROR",
        "ERROR_MESSAGE": "timed out",
    }
    send(ops, "p-notify/notify", EVENT, attributes)
    assert run("redrive", "p-notify/notify", "--yes")[0] == 0
    assert ops.lam.calls == [{"function": "p-notify", "type": "Event", "payload": EVENT}]
    boto3.client("events", region_name=REGION).create_event_bus(Name="p-events")
    send(ops, "p-notify/notify", EVENT, attributes)
    code, out = run("redrive", "p-notify/notify", "--yes", "--to", "bus", "--verbose")
    assert code == 0, out
    assert "put back on p-events" in out
    assert depth(ops, "p-notify/notify") == 0


def test_a_poisoned_event_needs_force(ops: OpsDeployment) -> None:
    send(
        ops,
        "poison",
        {"kind": "permanent", "function": "p-notify", "reason": "bad", "payload": EVENT},
    )
    code, out = run("redrive", "poison", "--yes")
    assert code == 1
    assert "fix its cause, then --force" in out
    assert depth(ops, "poison") == 1
    assert run("redrive", "poison", "--yes", "--force")[0] == 0
    assert ops.lam.calls == [{"function": "p-notify", "type": "Event", "payload": EVENT}]


def _answer(user: str, at: str) -> dict[str, Any]:
    return {
        "pk": {"S": f"USER#{user}"},
        "sk": {"S": "ANSWER#q.v1#mfa"},
        "userId": {"S": user},
        "questionnaireId": {"S": "q.v1"},
        "questionId": {"S": "mfa"},
        "value": {"BOOL": True},
        "submittedAt": {"S": at},
    }


def test_a_stream_batch_is_re_read_by_its_range_or_re_announced_from_the_table(
    ops: OpsDeployment,
) -> None:
    table = create_table("p-answers", stream=True)
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    # u-0 and u-3 were stored hours away from the batch; u-1 and u-2 in it, u-2 within the
    # last second of its arrival time (which Lambda gives in whole seconds).
    stored = ["2026-11-24T05:00:00Z", "2026-11-24T08:01:00.250Z", "2026-11-24T08:02:00.900Z"]
    for n, at in enumerate(stored):
        dynamodb.put_item(TableName="p-answers", Item=_answer(f"u-{n}", at))
    streams = client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=table.latest_stream_arn)["StreamDescription"][
        "Shards"
    ][0]
    iterator = streams.get_shard_iterator(
        StreamArn=table.latest_stream_arn,
        ShardId=shard["ShardId"],
        ShardIteratorType="TRIM_HORIZON",
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    info = {
        "shardId": shard["ShardId"],
        "startSequenceNumber": records[1]["dynamodb"]["SequenceNumber"],
        "endSequenceNumber": records[2]["dynamodb"]["SequenceNumber"],
        "approximateArrivalOfFirstRecord": "2026-11-24T08:01:00Z",
        "approximateArrivalOfLastRecord": "2026-11-24T08:02:00Z",
        "batchSize": 2,
        "streamArn": table.latest_stream_arn,
    }
    failure = {
        "requestContext": {
            "functionArn": STREAM_FUNCTION,
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": 4,
        },
        "DDBStreamBatchInfo": info,
    }
    send(ops, "stream:answers", failure)
    code, out = run("redrive", "stream:answers", "--yes", "--verbose")
    assert code == 0, out
    (call,) = ops.lam.calls
    assert (call["function"], call["type"]) == ("p-answers-stream", "RequestResponse")
    users = [r["dynamodb"]["NewImage"]["userId"]["S"] for r in call["payload"]["Records"]]
    assert users == ["u-1", "u-2"]
    assert call["payload"]["Records"][0]["eventSourceARN"] == table.latest_stream_arn

    # The same batch once the stream has let it go: read from the table by its window.
    dynamodb.put_item(TableName="p-answers", Item=_answer("u-3", "2026-11-24T11:00:00Z"))
    send(ops, "stream:answers", {**failure, "DDBStreamBatchInfo": {**info, "shardId": "gone"}})
    code, out = run("redrive", "stream:answers", "--yes", "--verbose")
    assert code == 0, out
    assert "re-announced 2 answers from the table" in out
    users = sorted(
        r["dynamodb"]["NewImage"]["userId"]["S"] for r in ops.lam.calls[1]["payload"]["Records"]
    )
    assert users == ["u-1", "u-2"]
    assert depth(ops, "stream:answers") == 0


def test_an_unknown_queue_is_named_with_the_known_ones(ops: OpsDeployment) -> None:
    code, _ = run("show", "nowhere")
    assert code == 2


def test_replay_is_a_dry_run_until_yes_then_replays_the_archive_to_one_rule(
    ops: OpsDeployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = boto3.client("events", region_name=REGION)
    bus = events.create_event_bus(Name="p-events")["EventBusArn"]
    archive = events.create_archive(ArchiveName="p-events-archive", EventSourceArn=bus)
    events.put_rule(Name="p-notify", EventBusName="p-events", EventPattern='{"source":["x"]}')
    replaying = OpsDeployment(
        queues=ops.queues, region=REGION, archive_arn=archive["ArchiveArn"], bus_arn=bus
    )
    replaying.lam = ops.lam
    monkeypatch.setattr("platform_ops.cli.deployment_of", lambda values: replaying)
    window = ("--start", "2026-11-24T08:00:00Z", "--end", "2026-11-24T09:00:00Z")
    code, out = run("replay", "--rule", "p-notify", *window)
    assert (code, out.startswith("dry run")) == (0, True)
    assert events.list_replays()["Replays"] == []
    code, out = run("replay", "--rule", "p-notify", *window, "--yes")
    assert code == 0, out
    (replay,) = events.list_replays()["Replays"]
    assert replay["EventSourceArn"] == archive["ArchiveArn"]
    described = events.describe_replay(ReplayName=replay["ReplayName"])
    assert described["Destination"]["FilterArns"][0].endswith("rule/p-events/p-notify")


def test_an_endpoint_that_does_not_answer_is_named(tmp_path: Any, capsys: Any) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(
        json.dumps(
            {
                "dead_letter_queue_urls": {"value": {"function:notify": "http://127.0.0.1:9/q"}},
                "aws_endpoint_url": {"value": "http://127.0.0.1:9"},
                "aws_region": {"value": REGION},
                "aws_access_key_id": {"value": "AKIALOCAL"},
                "aws_secret_access_key": {"value": "secret"},
            }
        )
    )
    assert main(["--outputs", str(outputs), "list"], out=io.StringIO()) == 2
    assert "cannot reach http://127.0.0.1:9 (is `make local` running?)" in capsys.readouterr().err


def test_an_expired_batch_whose_answers_are_not_all_found_is_kept(ops: OpsDeployment) -> None:
    create_table("p-answers", stream=True)
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.put_item(TableName="p-answers", Item=_answer("u-1", "2026-11-24T08:01:00.500Z"))
    info = {
        "shardId": "gone",
        "startSequenceNumber": "100",
        "endSequenceNumber": "102",
        "approximateArrivalOfFirstRecord": "2026-11-24T08:01:00Z",
        "approximateArrivalOfLastRecord": "2026-11-24T08:01:01Z",
        "batchSize": 3,
        "streamArn": "arn:aws:dynamodb:eu-west-1:123456789012:table/p-answers/stream/x",
    }
    failure = {
        "requestContext": {"functionArn": STREAM_FUNCTION, "approximateInvokeCount": 4},
        "DDBStreamBatchInfo": info,
    }
    send(ops, "stream:answers", failure)
    code, out = run("redrive", "stream:answers", "--yes")
    assert code == 1
    assert (
        "re-announced 1 answers from the table into p-answers-stream, but the batch held 3" in out
    )
    assert "moved 0, failed 1" in out
    assert len(ops.lam.calls) == 1  # the one found was announced; the message stays for the rest
    assert depth(ops, "stream:answers") == 1


def test_a_presence_batch_is_re_read_from_its_stream_and_kept_once_the_stream_let_it_go(
    ops: OpsDeployment,
) -> None:
    table = create_table("p-presence", stream=True)
    member = {"pk": {"S": "/chat/lobby"}, "sk": {"S": "u-1"}, "version": {"N": "1"}}
    boto3.client("dynamodb", region_name=REGION).put_item(TableName="p-presence", Item=member)
    streams = client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=table.latest_stream_arn)["StreamDescription"][
        "Shards"
    ][0]
    iterator = streams.get_shard_iterator(
        StreamArn=table.latest_stream_arn,
        ShardId=shard["ShardId"],
        ShardIteratorType="TRIM_HORIZON",
    )["ShardIterator"]
    (record,) = streams.get_records(ShardIterator=iterator)["Records"]
    sequence = record["dynamodb"]["SequenceNumber"]
    info = {
        "shardId": shard["ShardId"],
        "startSequenceNumber": sequence,
        "endSequenceNumber": sequence,
        "approximateArrivalOfFirstRecord": "2026-11-24T08:01:00Z",
        "approximateArrivalOfLastRecord": "2026-11-24T08:01:00Z",
        "batchSize": 1,
        "streamArn": table.latest_stream_arn,
    }
    failure = {
        "requestContext": {
            "functionArn": "arn:aws:lambda:eu-west-1:123456789012:function:p-presence-stream",
            "approximateInvokeCount": 11,
        },
        "DDBStreamBatchInfo": info,
    }
    send(ops, "stream:presence", failure)
    code, out = run("redrive", "stream:presence", "--yes")
    assert code == 0, out
    (call,) = ops.lam.calls
    assert call["function"] == "p-presence-stream"
    assert call["payload"]["Records"][0]["dynamodb"]["Keys"]["sk"] == {"S": "u-1"}

    # Past the stream's day: nothing is guessed from the members table, the message stays.
    send(ops, "stream:presence", {**failure, "DDBStreamBatchInfo": {**info, "shardId": "gone"}})
    code, out = run("redrive", "stream:presence", "--yes")
    assert code == 1
    assert "only answers are re-announced from their table, not p-presence's changes" in out
    assert len(ops.lam.calls) == 1
    assert depth(ops, "stream:presence") == 1


def test_a_message_is_held_hidden_for_as_long_as_its_redrive_takes(
    ops: OpsDeployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A redrive that outlasts the visibility timeout: the message must not reappear to
    another consumer (or to this run) while it is worked on."""
    monkeypatch.setattr("platform_ops.cli._VISIBILITY_SECONDS", 1)
    send(ops, "function:notify", LAMBDA_RECORD)
    seen_meanwhile: list[Any] = []

    def slow() -> None:
        time.sleep(2.5)
        seen_meanwhile.extend(
            boto3.client("sqs", region_name=REGION)
            .receive_message(QueueUrl=ops.queues["function:notify"], VisibilityTimeout=0)
            .get("Messages", [])
        )

    ops.lam.during = slow
    code, out = run("redrive", "function:notify", "--yes")
    assert code == 0, out
    assert seen_meanwhile == []
    assert len(ops.lam.calls) == 1
    assert depth(ops, "function:notify") == 0


def test_a_message_that_fails_with_an_aws_error_stays_and_the_run_goes_on(
    ops: OpsDeployment,
) -> None:
    for _ in range(3):
        send(ops, "function:notify", LAMBDA_RECORD)
    ops.lam.errors = [
        ClientError(
            {"Error": {"Code": "TooManyRequestsException", "Message": "Rate exceeded"}}, "Invoke"
        ),
        ValueError("not JSON"),
    ]
    code, out = run("redrive", "function:notify", "--yes")
    assert code == 1
    assert out.count("not redriven:") == 2
    assert "TooManyRequestsException: Rate exceeded" in out
    assert "ValueError: not JSON" in out
    assert "moved 1, failed 2 (left in the queue), left 2" in out
    assert len(ops.lam.calls) == 1  # each message tried once: the failed ones not again
    assert depth(ops, "function:notify") == 2
