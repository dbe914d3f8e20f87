"""The security service's handler: evaluate, report once per answer (idempotency on moto)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from handlers.common import clients
from handlers.contracts import ANSWER_SUBMITTED, AnswerSubmitted
from handlers.security import handler as security
from handlers.security.logic import UnknownQuestionnaireError
from handlers.security.settings import get_settings
from tests.unit.aws import REGION, bridge_event, create_idempotency_table, create_table
from tests.unit.conftest import log_records, metric_values
from tests.unit.streams import RecordingEvents, throttled

BUS = "platform-test-events"


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingEvents]:
    monkeypatch.setenv("ASSESSMENTS_TABLE_NAME", "assessments-test")
    monkeypatch.setenv("IDEMPOTENCY_TABLE_NAME", "idempotency-test")
    monkeypatch.setenv("EVENT_BUS_NAME", BUS)
    get_settings.cache_clear()
    recording = RecordingEvents()
    monkeypatch.setattr(clients, "events", lambda: recording)
    with mock_aws():
        create_table("assessments-test")
        create_idempotency_table("idempotency-test")
        yield recording
    get_settings.cache_clear()


def answer_event(
    question: str = "mfa",
    value: Any = False,
    minute: int = 0,
    questionnaire: str = "account-security.v1",
    event_id: str | None = None,
) -> dict[str, Any]:
    answer = AnswerSubmitted(
        user_id="u-1",
        questionnaire_id=questionnaire,
        question_id=question,
        value=value,
        submitted_at=datetime(2026, 11, 22, 8, minute, tzinfo=UTC),
        change="created",
    )
    return bridge_event(ANSWER_SUBMITTED.entry(answer, BUS), event_id)


def reports(events: RecordingEvents) -> list[dict[str, Any]]:
    return [json.loads(e["Detail"]) for e in events.entries]


def test_an_answer_gives_a_report_of_the_questionnaire_so_far(
    events: RecordingEvents, lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    security.lambda_handler(answer_event("mfa", True, minute=0), lambda_context)
    result = security.lambda_handler(answer_event("password-reuse", "rarely", 1), lambda_context)
    first, second = reports(events)
    assert (first["score"], second["score"]) == (25, 35)
    assert second["answered"] == 2
    assert second["pending"] == [
        "password-manager",
        "updates",
        "backups",
        "phishing-training",
        "disk-encryption",
    ]
    assert [f["questionId"] for f in second["findings"]] == ["password-reuse"]
    assert result == {"reportId": second["reportId"], "score": 35, "level": "critical"}
    entry = events.entries[1]
    assert (entry["Source"], entry["DetailType"], entry["EventBusName"]) == (
        "platform.security",
        "ReportReady.v1",
        BUS,
    )
    assert metric_values(capsys.readouterr().out) == {"ReportsSent": 2}


@pytest.mark.parametrize("same_event_id", [True, False])
def test_a_redelivered_answer_makes_no_second_report(
    events: RecordingEvents,
    lambda_context: Any,
    capsys: pytest.CaptureFixture[str],
    same_event_id: bool,
) -> None:
    # EventBridge retries keep the event id; a stream retry publishes a new event of the
    # same answer. Either way the answer is the same, and so is the result.
    first = security.lambda_handler(answer_event(event_id="ev-1"), lambda_context)
    again = answer_event(event_id="ev-1" if same_event_id else "ev-2")
    assert security.lambda_handler(again, lambda_context) == first
    assert len(events.requests) == 1
    out = capsys.readouterr().out
    assert metric_values(out) == {"ReportsSent": 1, "DuplicateAnswers": 1}
    assert any(r["message"].startswith("answer seen before") for r in log_records(out))


def test_a_late_older_answer_does_not_replace_a_newer_one(
    events: RecordingEvents, lambda_context: Any
) -> None:
    security.lambda_handler(answer_event("mfa", True, minute=5), lambda_context)
    security.lambda_handler(answer_event("mfa", False, minute=1), lambda_context)
    assert [r["score"] for r in reports(events)] == [25, 25]
    stored = boto3.client("dynamodb", region_name=REGION).get_item(
        TableName="assessments-test",
        Key={"pk": {"S": "USER#u-1#Q#account-security.v1"}, "sk": {"S": "mfa"}},
    )["Item"]
    assert stored["valueJson"] == {"S": "true"}


def test_a_failed_put_raises_and_the_retry_reports(
    events: RecordingEvents, lambda_context: Any
) -> None:
    events.outcomes = [lambda entries: throttled()] * 3  # every round of the put
    with pytest.raises(Exception, match=r"ReportReady\.v1 was not put on the bus: Throttling"):
        security.lambda_handler(answer_event(), lambda_context)
    # Powertools removed the in-progress record: Lambda's retry goes through.
    security.lambda_handler(answer_event(), lambda_context)
    assert len(events.requests) == 4
    assert len(reports(events)) == 4


def test_an_unknown_questionnaire_is_poisoned_not_retried(
    events: RecordingEvents,
    lambda_context: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queue = boto3.client("sqs", region_name=REGION).create_queue(QueueName="poison")["QueueUrl"]
    monkeypatch.setenv("POISON_QUEUE_URL", queue)
    get_settings.cache_clear()
    event = answer_event(questionnaire="pets.v1")
    result = security.lambda_handler(event, lambda_context)
    reason = "questionnaire 'pets.v1' is not evaluated here (known: account-security.v1)"
    assert result == {"poisoned": reason}
    assert events.requests == []
    (message,) = boto3.client("sqs", region_name=REGION).receive_message(QueueUrl=queue)["Messages"]
    assert json.loads(message["Body"])["payload"] == event
    assert metric_values(capsys.readouterr().out) == {
        "UnknownQuestionnaires": 1,
        "PoisonedEvents": 1,
    }


def test_without_a_poison_queue_a_permanent_failure_raises(
    events: RecordingEvents, lambda_context: Any
) -> None:
    # A module user who deploys the function without one: the failure queue keeps it.
    with pytest.raises(UnknownQuestionnaireError):
        security.lambda_handler(answer_event(questionnaire="pets.v1"), lambda_context)


def test_an_invalid_event_is_rejected_with_the_field_named(
    events: RecordingEvents, lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    event = answer_event()
    del event["detail"]["questionId"]
    with pytest.raises(ValueError, match=r"detail\.questionId: Field required"):
        security.lambda_handler(event, lambda_context)
    assert events.requests == []
    assert metric_values(capsys.readouterr().out) == {"InvalidAnswers": 1}
