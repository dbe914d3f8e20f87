"""Lambda entry point: EventBridge ``UploadReceived`` -> chat webhook message."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.common.events import accept_event
from handlers.contracts import UPLOAD_RECEIVED
from handlers.notify.logic import order_message
from handlers.notify.settings import Settings, get_settings
from handlers.notify.webhook import WebhookError, post_message

logger = Logger()
metrics = Metrics()


def webhook_url(settings: Settings) -> str:
    """Read the URL at run time (cached for ``secret_max_age_seconds``); never logged."""
    # Imported here: Powertools parameters loads boto3, which a rejected event never needs.
    from aws_lambda_powertools.utilities import parameters  # noqa: PLC0415

    if settings.webhook_url_store == "ssm":
        value = parameters.get_parameter(
            settings.webhook_url_name, decrypt=True, max_age=settings.secret_max_age_seconds
        )
    else:
        value = parameters.get_secret(
            settings.webhook_url_name, max_age=settings.secret_max_age_seconds
        )
    if not isinstance(value, str) or not value.strip():
        raise WebhookError(f"webhook URL in {settings.webhook_url_store} is empty or not text")
    return value.strip()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_settings()
    parsed = accept_event(
        event,
        UPLOAD_RECEIVED,
        logger=logger,
        metrics=metrics,
        rejected="upload",
        metric="InvalidUploads",
    )
    logger.append_keys(order_id=parsed.detail.order.order_id)
    try:
        status = post_message(
            webhook_url(settings),
            order_message(parsed.detail),
            timeout_seconds=settings.webhook_timeout_seconds,
        )
    except WebhookError as exc:
        # Raising fails the asynchronous invocation: Lambda retries it (async_invocation) and
        # then sends the event with this error to the function's failure queue.
        logger.error("notification failed", extra={"reason": str(exc)})
        metrics.add_metric(name="NotificationsFailed", unit=MetricUnit.Count, value=1)
        raise
    logger.info("notification sent", extra={"status": status})
    metrics.add_metric(name="NotificationsSent", unit=MetricUnit.Count, value=1)
    return {"orderId": parsed.detail.order.order_id, "status": status}
