"""The user service's stream handler: stored answers -> AnswerSubmitted, partial failures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from handlers.answers_stream import handler as stream
from handlers.answers_stream.settings import get_settings
from handlers.common import clients
from tests.unit.conftest import log_records, metric_values
from tests.unit.streams import RecordingEvents, answer_item, stream_record, throttled

BUS = "platform-test-events"


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingEvents]:
    monkeypatch.setenv("EVENT_BUS_NAME", BUS)
    get_settings.cache_clear()
    recording = RecordingEvents()
    monkeypatch.setattr(clients, "events", lambda: recording)
    yield recording
    get_settings.cache_clear()


def failed_sequences(response: dict[str, Any]) -> list[str]:
    return [item["itemIdentifier"] for item in response["batchItemFailures"]]


def test_inserts_and_modifies_become_answer_submitted_events(
    events: RecordingEvents, lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    first = answer_item(question="mfa", value=False)
    changed = answer_item(question="mfa", value=True, submitted_at="2026-11-22T08:05:00+00:00")
    months = answer_item(question="phishing-training", value=18)
    batch = [
        stream_record(1, first),
        stream_record(2, changed, old=first),
        stream_record(3, months),
    ]
    response = stream.lambda_handler({"Records": batch}, lambda_context)
    assert response == {"batchItemFailures": []}
    assert len(events.requests) == 1
    details = [json.loads(e["Detail"]) for e in events.entries]
    assert [(d["questionId"], d["value"], d["change"]) for d in details] == [
        ("mfa", False, "created"),
        ("mfa", True, "updated"),
        ("phishing-training", 18, "created"),
    ]
    assert isinstance(details[2]["value"], int)  # a DynamoDB number, not "18" or 18.0
    assert {(e["Source"], e["DetailType"], e["EventBusName"]) for e in events.entries} == {
        ("platform.users", "AnswerSubmitted.v1", BUS)
    }
    assert metric_values(capsys.readouterr().out) == {"AnswersPublished": 3}


def test_removes_have_nothing_to_announce(events: RecordingEvents, lambda_context: Any) -> None:
    gone = answer_item()
    response = stream.lambda_handler(
        {"Records": [stream_record(1, None, old=gone)]}, lambda_context
    )
    assert response == {"batchItemFailures": []}
    assert events.requests == []


def test_a_poisoned_record_in_the_middle_fails_alone(
    events: RecordingEvents, lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    poisoned = answer_item(question="not a valid id!")
    del poisoned["submittedAt"]
    batch = [
        stream_record(1, answer_item(question="mfa")),
        stream_record(2, poisoned),
        stream_record(3, answer_item(question="backups", value="daily")),
    ]
    response = stream.lambda_handler({"Records": batch}, lambda_context)
    assert failed_sequences(response) == [f"{2:021d}"]
    assert [json.loads(e["Detail"])["questionId"] for e in events.entries] == ["mfa", "backups"]
    out = capsys.readouterr().out
    (rejected,) = [r for r in log_records(out) if r["message"] == "answer record rejected"]
    assert rejected["sequence_number"] == f"{2:021d}"
    assert "questionId: String should match pattern" in rejected["reason"]
    assert "submittedAt: Field required" in rejected["reason"]
    assert metric_values(out) == {"AnswersPublished": 2, "AnswerRecordsFailed": 1}


def test_entries_go_out_ten_at_a_time(events: RecordingEvents, lambda_context: Any) -> None:
    batch = [stream_record(n, answer_item(user=f"u-{n}")) for n in range(1, 26)]
    response = stream.lambda_handler({"Records": batch}, lambda_context)
    assert response == {"batchItemFailures": []}
    assert [len(r) for r in events.requests] == [10, 10, 5]


def test_entries_eventbridge_rejects_are_reported_as_failed_records(
    events: RecordingEvents, lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Throttled and internal failures are sent again (3 rounds in all), then reported.
    events.outcomes = [
        lambda entries: {1: "InternalFailure", 3: "ThrottlingException"},
        lambda entries: {0: "InternalFailure", 1: "ThrottlingException"},
        lambda entries: {0: "InternalFailure", 1: "ThrottlingException"},
    ]
    batch = [stream_record(n, answer_item(user=f"u-{n}")) for n in range(1, 6)]
    response = stream.lambda_handler({"Records": batch}, lambda_context)
    assert [len(r) for r in events.requests] == [5, 2, 2]
    assert failed_sequences(response) == [f"{2:021d}", f"{4:021d}"]
    out = capsys.readouterr().out
    reasons = [r["reason"] for r in log_records(out) if r["message"].startswith("answer event not")]
    assert reasons == [
        "InternalFailure: rejected by the test",
        "ThrottlingException: rejected by the test",
    ]
    assert metric_values(out) == {"AnswersPublished": 3, "AnswerRecordsFailed": 2}


def test_a_request_that_fails_whole_fails_its_records_only(
    events: RecordingEvents, lambda_context: Any
) -> None:
    events.outcomes = [lambda entries: None, *[lambda entries: throttled()] * 3]
    batch = [stream_record(n, answer_item(user=f"u-{n}")) for n in range(1, 13)]
    response = stream.lambda_handler({"Records": batch}, lambda_context)
    assert [len(r) for r in events.requests] == [10, 2, 2, 2]
    assert failed_sequences(response) == [f"{11:021d}", f"{12:021d}"]


def test_a_throttled_request_is_sent_again_after_a_backoff(
    events: RecordingEvents, lambda_context: Any, bus_waits: list[float]
) -> None:
    events.outcomes = [lambda entries: throttled(), lambda entries: {1: "InternalFailure"}]
    batch = [stream_record(n, answer_item(user=f"u-{n}")) for n in range(1, 4)]
    response = stream.lambda_handler({"Records": batch}, lambda_context)
    assert failed_sequences(response) == []
    assert [len(r) for r in events.requests] == [3, 3, 1]
    assert len(bus_waits) == 2
    assert bus_waits[1] > bus_waits[0] * 0.5  # exponential, jittered


def test_a_batch_that_fails_entirely_fails_the_invocation(
    events: RecordingEvents, lambda_context: Any
) -> None:
    # Lambda then retries the batch (bisecting it) instead of skipping every record.
    events.outcomes = [lambda entries: throttled()] * 3
    batch = [stream_record(n, answer_item(user=f"u-{n}")) for n in range(1, 3)]
    with pytest.raises(Exception, match="All records failed processing"):
        stream.lambda_handler({"Records": batch}, lambda_context)


def test_with_a_poison_queue_a_poisoned_record_is_parked_not_retried(
    events: RecordingEvents,
    lambda_context: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with mock_aws():
        sqs = boto3.client("sqs", region_name="eu-west-1")
        queue = sqs.create_queue(QueueName="poison")["QueueUrl"]
        monkeypatch.setenv("POISON_QUEUE_URL", queue)
        get_settings.cache_clear()
        poisoned = stream_record(2, answer_item(question="not a valid id!"))
        batch = [stream_record(1, answer_item(question="mfa")), poisoned]
        # The second good record's entry is refused by EventBridge for good: poisoned too.
        batch.append(stream_record(3, answer_item(question="backups")))
        events.outcomes = [lambda entries: {1: "MalformedDetail"}]
        response = stream.lambda_handler({"Records": batch}, lambda_context)
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert failed_sequences(response) == []
    bodies = sorted(
        (json.loads(m["Body"]) for m in messages),
        key=lambda b: b["payload"]["dynamodb"]["SequenceNumber"],
    )
    assert [b["payload"]["dynamodb"]["SequenceNumber"] for b in bodies] == [
        f"{2:021d}",
        f"{3:021d}",
    ]
    assert "questionId: String should match pattern" in bodies[0]["reason"]
    assert bodies[1]["reason"] == "MalformedDetail: rejected by the test"
    assert metric_values(capsys.readouterr().out) == {"AnswersPublished": 1, "PoisonedEvents": 2}


def test_a_poisoned_record_behind_a_failed_one_is_parked_on_the_retry_once(
    events: RecordingEvents,
    lambda_context: Any,
    monkeypatch: pytest.MonkeyPatch,
    bus_waits: list[float],
) -> None:
    """Lambda hands the batch back from its first failed record: a poisoned record before it
    is parked now, one after it when it comes back, and neither is parked twice."""
    with mock_aws():
        sqs = boto3.client("sqs", region_name="eu-west-1")
        queue = sqs.create_queue(QueueName="poison")["QueueUrl"]
        monkeypatch.setenv("POISON_QUEUE_URL", queue)
        get_settings.cache_clear()
        before = stream_record(1, answer_item(user="u-1", question="not a valid id!"))
        failing = stream_record(2, answer_item(user="u-2"))
        after = stream_record(3, answer_item(user="u-3", question="not valid either!"))
        events.outcomes = [lambda entries: {0: "ThrottlingException"}] * 3
        first = stream.lambda_handler({"Records": [before, failing, after]}, lambda_context)
        parked_first = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
        # The retry, from the failed record on; EventBridge takes the entry this time.
        retry = stream.lambda_handler({"Records": [failing, after]}, lambda_context)
        parked = parked_first + sqs.receive_message(
            QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=0
        ).get("Messages", [])

    assert failed_sequences(first) == [f"{2:021d}"]
    assert failed_sequences(retry) == []
    sequences = sorted(
        json.loads(m["Body"])["payload"]["dynamodb"]["SequenceNumber"] for m in parked
    )
    assert sequences == [f"{1:021d}", f"{3:021d}"]
