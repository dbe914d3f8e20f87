"""Report delivery: stored, then published to /reports/<user> over SigV4-signed HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from moto import mock_aws

from handlers.common.events_publisher import DeliveryError, EventsPublisher
from handlers.contracts import REPORT_READY, Finding, ReportReady
from handlers.report_delivery import handler as delivery
from handlers.report_delivery.settings import get_settings
from tests.unit.aws import REGION, bridge_event, create_table
from tests.unit.conftest import log_records, metric_values
from tests.unit.fake_appsync import CREDENTIALS, FakeAppSync, fake_appsync

REPORT = ReportReady(
    report_id="5d4c3b2a-1f0e-5d9c-8b7a-6f5e4d3c2b1a",
    user_id="0f1e2d3c-4b5a-4697-8877-665544332211",
    questionnaire_id="account-security.v1",
    score=25,
    level="critical",
    answered=1,
    total=7,
    pending=["password-reuse"],
    findings=[
        Finding(question_id="mfa", severity="critical", title="t", recommendation="r"),
    ],
    generated_at=datetime(2026, 11, 22, 8, 0, tzinfo=UTC),
)


@pytest.fixture
def appsync(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAppSync]:
    """The fake Event API, the reports table on moto, and the credentials the fake expects."""
    with fake_appsync() as server:
        server.host = urlsplit(server.http_url).netloc  # signed for where it is sent
        monkeypatch.setenv("REPORTS_TABLE_NAME", "reports-test")
        monkeypatch.setenv("EVENTS_PUBLISH_URL", f"{server.http_url}/event")
        monkeypatch.setenv("PUBLISH_ATTEMPTS", "3")
        get_settings.cache_clear()
        with mock_aws():
            # moto puts fake credentials in the environment; sign with the ones the fake knows.
            monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS.access_key)
            monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CREDENTIALS.secret_key)
            create_table("reports-test")
            steps = delivery.runtime()
            monkeypatch.setattr(steps.publisher, "sleep", lambda seconds: None)
            yield server
        get_settings.cache_clear()


def report_event() -> dict[str, Any]:
    return bridge_event(REPORT_READY.entry(REPORT, "bus"))


def test_a_report_is_stored_and_published_to_its_users_channel(
    appsync: FakeAppSync, lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    result = delivery.lambda_handler(report_event(), lambda_context)
    channel = f"/reports/{REPORT.user_id}"
    assert result == {"reportId": REPORT.report_id, "channel": channel}
    (request,) = appsync.published  # the fake checked the SigV4 signature of this body
    assert request["channel"] == channel
    (event,) = request["events"]
    assert json.loads(event) == {
        **json.loads(REPORT.model_dump_json(by_alias=True)),
        "clientMessageId": REPORT.report_id,
    }
    items = boto3.client("dynamodb", region_name=REGION).scan(TableName="reports-test")["Items"]
    assert [item["reportId"]["S"] for item in items] == [REPORT.report_id]
    assert json.loads(items[0]["report"]["S"])["score"] == 25
    assert metric_values(capsys.readouterr().out) == {"ReportsDelivered": 1}


def test_throttling_and_server_errors_are_retried(
    appsync: FakeAppSync, lambda_context: Any
) -> None:
    appsync.scripted_statuses = [429, 503]
    delivery.lambda_handler(report_event(), lambda_context)
    assert appsync.attempts == 3
    assert len(appsync.published) == 1


def test_when_retries_are_spent_the_invocation_fails(
    appsync: FakeAppSync, lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    appsync.scripted_statuses = [500, 502, 504]
    with pytest.raises(DeliveryError, match="gave up after 3 attempts, last HTTP 504"):
        delivery.lambda_handler(report_event(), lambda_context)
    out = capsys.readouterr().out
    assert metric_values(out) == {"ReportsNotDelivered": 1}
    (failed,) = [r for r in log_records(out) if r["message"] == "report not delivered"]
    assert "gave up" in failed["reason"]


def test_a_client_error_is_not_retried(appsync: FakeAppSync, lambda_context: Any) -> None:
    appsync.scripted_statuses = [400]
    with pytest.raises(DeliveryError, match="HTTP 400"):
        delivery.lambda_handler(report_event(), lambda_context)
    assert appsync.attempts == 1


def test_a_bad_signature_is_refused_and_not_retried(
    appsync: FakeAppSync, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    appsync.host = "someone-else.example.com"  # the fake now expects another Host
    with pytest.raises(DeliveryError, match="HTTP 401"):
        delivery.lambda_handler(report_event(), lambda_context)
    assert appsync.attempts == 1


def test_events_refused_in_a_200_answer_fail_the_delivery(
    appsync: FakeAppSync, lambda_context: Any
) -> None:
    appsync.failing_indexes = {0}
    with pytest.raises(DeliveryError, match="1 of 1 events refused"):
        delivery.lambda_handler(report_event(), lambda_context)


def test_a_report_the_channel_kept_before_is_delivered_when_retried(
    appsync: FakeAppSync, lambda_context: Any
) -> None:
    appsync.failing_indexes = {0}
    appsync.failure_message = (
        f"AlreadyPublishedError - message id {REPORT.report_id} was published as seq 3 "
        "(event id e-1)"
    )
    result = delivery.lambda_handler(report_event(), lambda_context)
    assert result["reportId"] == REPORT.report_id
    assert len(appsync.published) == 1


def test_publisher_sends_at_most_five_events_per_request(appsync: FakeAppSync) -> None:
    publisher = EventsPublisher(
        url=f"{appsync.http_url}/event",
        region="eu-west-1",
        credentials=lambda: CREDENTIALS,
    )
    events = [json.dumps({"n": n}) for n in range(12)]
    assert publisher.publish("/reports/u-1", events) == 12
    assert [len(r["events"]) for r in appsync.published] == [5, 5, 2]


def test_an_unreachable_endpoint_is_retried_then_fails() -> None:
    sleeps: list[float] = []
    publisher = EventsPublisher(
        url="http://127.0.0.1:9/event",  # discard port: nothing listens
        region="eu-west-1",
        credentials=lambda: CREDENTIALS,
        attempts=3,
        sleep=sleeps.append,
        jitter=lambda: 0.5,
    )
    with pytest.raises(DeliveryError, match="last unreachable"):
        publisher.publish("/reports/u-1", ["{}"])
    assert sleeps == [0.2, 0.4]  # exponential backoff between the attempts


def test_only_https_or_loopback_urls_are_accepted() -> None:
    with pytest.raises(DeliveryError, match="must use https"):
        EventsPublisher(url="http://example.com/event", region="r", credentials=lambda: None)


def test_a_user_id_that_cannot_be_a_channel_fails_without_publishing(
    appsync: FakeAppSync, lambda_context: Any
) -> None:
    event = report_event()
    event["detail"]["userId"] = "a/b"
    with pytest.raises(ValueError, match="cannot be a channel segment"):
        delivery.lambda_handler(event, lambda_context)
    assert appsync.attempts == 0
