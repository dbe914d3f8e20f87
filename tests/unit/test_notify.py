"""notify: the webhook URL from SSM/Secrets Manager (moto), a local webhook on 127.0.0.1."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters import base as parameters_base
from botocore.awsrequest import AWSResponse
from botocore.retries import standard
from moto import mock_aws

from handlers.common.events import InvalidEventError
from handlers.notify import handler as notify
from handlers.notify.settings import get_settings
from handlers.notify.webhook import WebhookError, check_webhook_url
from tests.unit.aws import create_idempotency_table
from tests.unit.conftest import log_records, metric_values
from tests.unit.webhook_server import WebhookServer

PARAMETER = "/platform/test/notify/webhook-url"


@pytest.fixture
def webhook() -> Iterator[WebhookServer]:
    server = WebhookServer().start()
    yield server
    server.stop()


def _clear_parameter_caches() -> None:
    """Powertools keeps fetched parameters and its providers (with their boto3 clients)
    module-wide: a test must not see another's, nor a client of a finished moto mock."""
    parameters.clear_caches()  # type: ignore[no-untyped-call]  # Powertools leaves it unannotated
    parameters_base.DEFAULT_PROVIDERS.clear()  # type: ignore[attr-defined]  # not re-exported


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    get_settings.cache_clear()
    _clear_parameter_caches()
    monkeypatch.setenv("IDEMPOTENCY_TABLE_NAME", "notify-idempotency-test")
    with mock_aws():
        create_idempotency_table("notify-idempotency-test")
        yield
    _clear_parameter_caches()
    get_settings.cache_clear()


@pytest.fixture
def ssm_webhook(
    aws: None, webhook: WebhookServer, monkeypatch: pytest.MonkeyPatch
) -> WebhookServer:
    boto3.client("ssm").put_parameter(Name=PARAMETER, Value=webhook.url, Type="SecureString")
    monkeypatch.setenv("WEBHOOK_URL_STORE", "ssm")
    monkeypatch.setenv("WEBHOOK_URL_NAME", PARAMETER)
    monkeypatch.setenv("WEBHOOK_TIMEOUT_SECONDS", "0.5")
    return webhook


def test_posts_a_summary_of_the_order(
    ssm_webhook: WebhookServer,
    upload_event: dict[str, Any],
    lambda_context: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = notify.lambda_handler(upload_event, lambda_context)

    assert result == {"orderId": "ord-1001", "status": 200}
    assert len(ssm_webhook.requests) == 1
    sent = ssm_webhook.requests[0]
    assert sent["headers"]["Content-Type"] == "application/json"
    assert sent["body"] == {
        "text": "New order ord-1001 from customer 0f1e2d3c-4b5a-4697-8877-665544332211: "
        "3 items, total 28.00 EUR"
    }
    out = capsys.readouterr().out
    assert metric_values(out) == {"NotificationsSent": 1}
    assert "secret-token" not in out, "the webhook URL must never reach a log line"


def test_reads_the_url_from_secrets_manager(
    aws: None,
    webhook: WebhookServer,
    upload_event: dict[str, Any],
    lambda_context: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    arn = boto3.client("secretsmanager").create_secret(
        Name="platform/test/webhook", SecretString=webhook.url
    )["ARN"]
    monkeypatch.setenv("WEBHOOK_URL_STORE", "secretsmanager")
    monkeypatch.setenv("WEBHOOK_URL_NAME", arn)

    notify.lambda_handler(upload_event, lambda_context)

    assert [r["body"]["text"][:20] for r in webhook.requests] == ["New order ord-1001 f"]


@pytest.mark.parametrize("status", [400, 404, 500, 503])
def test_rejected_post_raises_so_eventbridge_retries(
    ssm_webhook: WebhookServer,
    upload_event: dict[str, Any],
    lambda_context: Any,
    capsys: pytest.CaptureFixture[str],
    status: int,
) -> None:
    ssm_webhook.status = status
    with pytest.raises(WebhookError, match=f"HTTP {status}"):
        notify.lambda_handler(upload_event, lambda_context)
    out = capsys.readouterr().out
    assert metric_values(out) == {"NotificationsFailed": 1}
    assert "secret-token" not in out


def test_slow_webhook_times_out_within_the_bound(
    ssm_webhook: WebhookServer, upload_event: dict[str, Any], lambda_context: Any
) -> None:
    ssm_webhook.delay_seconds = 2.0
    with pytest.raises(WebhookError, match="unreachable: TimeoutError") as caught:
        notify.lambda_handler(upload_event, lambda_context)
    assert "secret-token" not in str(caught.value)


def test_unreachable_webhook_raises(
    aws: None, upload_event: dict[str, Any], lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    boto3.client("ssm").put_parameter(
        Name=PARAMETER, Value=f"http://127.0.0.1:{port}/hook", Type="SecureString"
    )
    monkeypatch.setenv("WEBHOOK_URL_STORE", "ssm")
    monkeypatch.setenv("WEBHOOK_URL_NAME", PARAMETER)
    with pytest.raises(WebhookError, match="unreachable"):
        notify.lambda_handler(upload_event, lambda_context)


def test_a_redelivered_order_is_posted_once(
    ssm_webhook: WebhookServer,
    upload_event: dict[str, Any],
    lambda_context: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = notify.lambda_handler(upload_event, lambda_context)
    again = dict(upload_event, id="another-delivery-of-the-same-order")
    second = notify.lambda_handler(again, lambda_context)
    assert first == second == {"orderId": "ord-1001", "status": 200}
    assert len(ssm_webhook.requests) == 1
    assert metric_values(capsys.readouterr().out) == {
        "NotificationsSent": 1,
        "DuplicateNotifications": 1,
    }


def test_a_failed_post_is_posted_by_the_retry(
    ssm_webhook: WebhookServer, upload_event: dict[str, Any], lambda_context: Any
) -> None:
    ssm_webhook.status = 503
    with pytest.raises(WebhookError):
        notify.lambda_handler(upload_event, lambda_context)
    ssm_webhook.status = 200
    # Powertools removed the in-progress record: the retry posts.
    assert notify.lambda_handler(upload_event, lambda_context)["status"] == 200
    assert len(ssm_webhook.requests) == 2


def test_an_invalid_upload_goes_to_the_poison_queue_with_its_reason(
    ssm_webhook: WebhookServer,
    upload_event: dict[str, Any],
    lambda_context: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    queue = boto3.client("sqs").create_queue(QueueName="poison-test")["QueueUrl"]
    monkeypatch.setenv("POISON_QUEUE_URL", queue)
    get_settings.cache_clear()
    upload_event["detail"]["items"][0]["quantity"] = 0
    result = notify.lambda_handler(upload_event, lambda_context)  # answered: no retry
    assert "detail.items.0.quantity" in result["poisoned"]
    assert ssm_webhook.requests == []
    (message,) = boto3.client("sqs").receive_message(QueueUrl=queue, MessageAttributeNames=["All"])[
        "Messages"
    ]
    body = json.loads(message["Body"])
    assert body["kind"] == "permanent"
    assert body["function"] == lambda_context.function_name
    assert body["payload"] == upload_event
    assert message["MessageAttributes"]["reason"]["StringValue"].startswith("invalid Upload")
    assert metric_values(capsys.readouterr().out) == {"InvalidUploads": 1, "PoisonedEvents": 1}


def test_invalid_detail_sends_nothing(
    ssm_webhook: WebhookServer,
    upload_event: dict[str, Any],
    lambda_context: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    upload_event["detail"]["items"][0]["quantity"] = 0
    with pytest.raises(InvalidEventError, match=r"detail\.items\.0\.quantity"):
        notify.lambda_handler(upload_event, lambda_context)
    assert ssm_webhook.requests == []
    out = capsys.readouterr().out
    assert metric_values(out) == {"InvalidUploads": 1}
    assert [r["level"] for r in log_records(out)].count("ERROR") == 1


def test_missing_parameter_fails_loudly(
    aws: None, upload_event: dict[str, Any], lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBHOOK_URL_STORE", "ssm")
    monkeypatch.setenv("WEBHOOK_URL_NAME", "/does/not/exist")
    with pytest.raises(parameters.exceptions.GetParameterError):
        notify.lambda_handler(upload_event, lambda_context)


@pytest.mark.parametrize(
    "url",
    ["http://hooks.example.com/x", "ftp://127.0.0.1/x", "file:///etc/passwd", "https:///nohost"],
)
def test_only_https_or_loopback_http_urls(url: str) -> None:
    with pytest.raises(WebhookError):
        check_webhook_url(url)


def test_wrong_store_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, upload_event: dict[str, Any], lambda_context: Any
) -> None:
    get_settings.cache_clear()
    monkeypatch.setenv("WEBHOOK_URL_STORE", "plaintext")
    monkeypatch.setenv("WEBHOOK_URL_NAME", "x")
    with pytest.raises(RuntimeError, match="WEBHOOK_URL_STORE"):
        notify.lambda_handler(upload_event, lambda_context)
    get_settings.cache_clear()


def test_a_throttled_record_of_a_sent_post_is_written_by_retries_not_posted_again(
    ssm_webhook: WebhookServer,
    upload_event: dict[str, Any],
    lambda_context: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The post went out; recording it is throttled 5 times (more than the SDK's default 3
    attempts). The record is still written, so the invocation succeeds and no retry or
    redrive posts the order again (the fault-injection test saw it posted twice)."""
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
    store = notify.runtime().store
    throttles = [5]

    def throttle(request: Any, **_: Any) -> AWSResponse | None:
        if throttles[0] == 0:
            return None
        throttles[0] -= 1
        body = b'{"__type": "ProvisionedThroughputExceededException", "message": "slow down"}'
        return AWSResponse(request.url, 400, {}, _Raw(body))

    store.client.meta.events.register_first("before-send.dynamodb.UpdateItem", throttle)
    first = notify.lambda_handler(upload_event, lambda_context)
    again = notify.lambda_handler(dict(upload_event, id="redriven"), lambda_context)

    assert throttles == [0]
    assert first == again == {"orderId": "ord-1001", "status": 200}
    assert len(ssm_webhook.requests) == 1


class _Raw:
    """The raw body botocore reads from an HTTP response."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.body
