"""The whole async loop in process, on moto, with the real handlers:

answers publish -> answers table -> its stream -> AnswerSubmitted on the bus -> security
service -> ReportReady on the bus -> reports table and /reports/<user> on a local Event API
endpoint (127.0.0.1) that checks the SigV4 signature and the body.

The bus is moto's, with the rules of terraform/contracts.json; each rule's target is an SQS
queue the test drains into the next handler, as EventBridge would invoke it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from handlers.answers_stream import handler as answers_stream
from handlers.answers_stream import settings as stream_settings
from handlers.channels import handler as channels
from handlers.channels import settings as channel_settings
from handlers.contracts import ReportReady
from handlers.report_delivery import handler as report_delivery
from handlers.report_delivery import settings as delivery_settings
from handlers.security import handler as security
from handlers.security import settings as security_settings
from tests.conftest import load_event
from tests.unit.aws import REGION, create_idempotency_table, create_table
from tests.unit.conftest import metric_values
from tests.unit.fake_appsync import CREDENTIALS, FakeAppSync, fake_appsync

CONTRACTS = json.loads(
    (Path(__file__).resolve().parents[2] / "terraform" / "contracts.json").read_text()
)
BUS = "platform-flow-events"
USER = "0f1e2d3c-4b5a-4697-8877-665544332211"
IDENTITIES = Path(__file__).resolve().parents[1] / "events" / "appsync_identities.json"
COGNITO = json.loads(IDENTITIES.read_text())["cognito"]
SETTINGS = (stream_settings, channel_settings, delivery_settings, security_settings)


@dataclass
class Platform:
    appsync: FakeAppSync
    queues: dict[str, str]  # rule -> SQS queue URL standing in for its Lambda target
    stream_arn: str

    def drain(self, rule: str) -> list[dict[str, Any]]:
        """Every event the rule routed, as its Lambda target receives it."""
        sqs = boto3.client("sqs", region_name=REGION)
        events: list[dict[str, Any]] = []
        while True:
            batch = sqs.receive_message(QueueUrl=self.queues[rule], MaxNumberOfMessages=10)
            messages = batch.get("Messages", [])
            if not messages:
                return events
            for message in messages:
                event = json.loads(message["Body"])
                # moto's SQS target leaves out the envelope's account; EventBridge sends it.
                event.setdefault("account", "123456789012")
                events.append(event)
                sqs.delete_message(
                    QueueUrl=self.queues[rule], ReceiptHandle=message["ReceiptHandle"]
                )

    def stream_batch(self) -> dict[str, Any]:
        """The answers table's stream records, as the Lambda poller hands them over."""
        # moto serves DynamoDB Streams on the classic endpoint only.
        streams = boto3.client(
            "dynamodbstreams",
            region_name=REGION,
            endpoint_url=f"https://streams.dynamodb.{REGION}.amazonaws.com",
        )
        shard = streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"][0]
        iterator = streams.get_shard_iterator(
            StreamArn=self.stream_arn,
            ShardId=shard["ShardId"],
            ShardIteratorType="TRIM_HORIZON",
        )["ShardIterator"]
        records = streams.get_records(ShardIterator=iterator)["Records"]
        for record in records:
            record["eventSourceARN"] = self.stream_arn
            created = record["dynamodb"]["ApproximateCreationDateTime"]
            record["dynamodb"]["ApproximateCreationDateTime"] = created.timestamp()
        return {"Records": records}


@pytest.fixture
def platform(monkeypatch: pytest.MonkeyPatch) -> Iterator[Platform]:
    for module in SETTINGS:
        module.get_settings.cache_clear()
    with fake_appsync() as appsync, mock_aws():
        appsync.host = appsync.http_url.removeprefix("http://")
        env = {
            "ANSWERS_TABLE_NAME": "flow-answers",
            "USER_POOL_ISSUER": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI",
            "ASSESSMENTS_TABLE_NAME": "flow-assessments",
            "IDEMPOTENCY_TABLE_NAME": "flow-idempotency",
            "REPORTS_TABLE_NAME": "flow-reports",
            "EVENT_BUS_NAME": BUS,
            "EVENTS_PUBLISH_URL": f"{appsync.http_url}/event",
            # moto accepts any credentials; the Event API endpoint checks these.
            "AWS_ACCESS_KEY_ID": CREDENTIALS.access_key,
            "AWS_SECRET_ACCESS_KEY": CREDENTIALS.secret_key,
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        answers = create_table("flow-answers", stream=True)
        create_table("flow-assessments")
        create_idempotency_table("flow-idempotency")
        create_table("flow-reports")
        yield Platform(appsync, wire_bus(), answers.latest_stream_arn)
    for module in SETTINGS:
        module.get_settings.cache_clear()


def wire_bus() -> dict[str, str]:
    """The bus and the async rules, patterns from contracts.json, targets standing in SQS."""
    events = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    events.create_event_bus(Name=BUS)
    queues = {}
    for rule, contract in (("security", "answer_submitted"), ("report-delivery", "report_ready")):
        url = sqs.create_queue(QueueName=f"flow-{rule}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        pattern = json.dumps(CONTRACTS[contract]["pattern"])
        events.put_rule(Name=rule, EventBusName=BUS, EventPattern=pattern)
        events.put_targets(Rule=rule, EventBusName=BUS, Targets=[{"Id": rule, "Arn": arn}])
        queues[rule] = url
    return queues


def publish_answers(answers: list[dict[str, Any]], context: Any) -> list[dict[str, Any]]:
    event = load_event("appsync_events_publish")
    event["info"] = {
        "channel": {"path": f"/answers/{USER}", "segments": ["answers", USER]},
        "channelNamespace": {"name": "answers"},
        "operation": "PUBLISH",
    }
    event["identity"] = copy.deepcopy(COGNITO)
    event["events"] = [{"id": f"a-{n}", "payload": a} for n, a in enumerate(answers)]
    items: list[dict[str, Any]] = channels.lambda_handler(event, context)["events"]
    return items


def test_answers_flow_to_a_report_on_the_users_channel(
    platform: Platform, lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # 1. The user answers two questions over the Event API; the channel handler stores them.
    items = publish_answers(
        [
            {"questionnaireId": "account-security.v1", "questionId": "mfa", "value": True},
            {
                "questionnaireId": "account-security.v1",
                "questionId": "password-reuse",
                "value": "rarely",
            },
        ],
        lambda_context,
    )
    assert [i.get("error") for i in items] == [None, None]

    # 2. The stream turns both stored answers into AnswerSubmitted on the bus.
    batch = platform.stream_batch()
    assert [r["eventName"] for r in batch["Records"]] == ["INSERT", "INSERT"]
    assert answers_stream.lambda_handler(batch, lambda_context) == {"batchItemFailures": []}

    # 3. The security service assesses each; a redelivered answer makes no second report.
    submitted = platform.drain("security")
    assert [e["detail"]["questionId"] for e in submitted] == ["mfa", "password-reuse"]
    for event in [*submitted, submitted[0]]:
        security.lambda_handler(event, lambda_context)

    # 4. Two reports are stored and pushed to the user's channel, signed, in order.
    reports = platform.drain("report-delivery")
    assert len(reports) == 2
    for event in reports:
        report_delivery.lambda_handler(event, lambda_context)
    pushed = platform.appsync.published
    assert [p["channel"] for p in pushed] == [f"/reports/{USER}"] * 2
    events = [json.loads(p["events"][0]) for p in pushed]
    # the report id is the event's own message id: a durable channel keeps it once
    assert [e.pop("clientMessageId") for e in events] == [e["reportId"] for e in events]
    delivered = [ReportReady.model_validate(e) for e in events]
    assert [(r.score, r.answered, r.level) for r in delivered] == [
        (25, 1, "critical"),
        (35, 2, "critical"),
    ]
    assert [f.question_id for f in delivered[1].findings] == ["password-reuse"]
    stored = boto3.client("dynamodb", region_name=REGION).query(
        TableName="flow-reports",
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"USER#{USER}"}},
    )["Items"]
    assert sorted(int(item["score"]["N"]) for item in stored) == [25, 35]
    metrics = metric_values(capsys.readouterr().out)
    assert metrics["ItemsPublished"] == 2
    assert metrics["AnswersPublished"] == 2
    assert metrics["ReportsSent"] == 2
    assert metrics["DuplicateAnswers"] == 1
    assert metrics["ReportsDelivered"] == 2


def test_a_changed_answer_flows_as_an_update_and_a_new_report(
    platform: Platform, lambda_context: Any
) -> None:
    answer = {"questionnaireId": "account-security.v1", "questionId": "mfa", "value": False}
    publish_answers([answer], lambda_context)
    publish_answers([{**answer, "value": True}], lambda_context)
    batch = platform.stream_batch()
    assert [r["eventName"] for r in batch["Records"]] == ["INSERT", "MODIFY"]
    answers_stream.lambda_handler(batch, lambda_context)
    submitted = platform.drain("security")
    assert [(e["detail"]["change"], e["detail"]["value"]) for e in submitted] == [
        ("created", False),
        ("updated", True),
    ]
    for event in submitted:
        security.lambda_handler(event, lambda_context)
    scores = [e["detail"]["score"] for e in platform.drain("report-delivery")]
    assert scores == [0, 25]
