"""Lambda entry point: EventBridge ``UploadReceived`` -> chat webhook message, once per order.

The post is idempotent (Powertools idempotency keyed on the customer and the order id, in a
DynamoDB table of this function's own): a redelivered order, or one an operator redrives,
returns the first result and posts nothing. An invalid upload is permanent: it goes to the
poison queue; a webhook that is down is transient: Lambda retries, then the failure queue.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.common import cold_start
from handlers.common.events import accept_event
from handlers.common.poison import poison_permanent
from handlers.contracts import UPLOAD_RECEIVED, UploadReceived
from handlers.notify.logic import order_message
from handlers.notify.settings import Settings, get_settings
from handlers.notify.webhook import WebhookError, post_message

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

    from handlers.common.idempotency import Once

logger = Logger()
metrics = Metrics()

# What makes two events the same order (field names as model_dump gives them).
IDEMPOTENCY_KEY = "[customer_id, order.order_id]"


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
@poison_permanent(logger=logger, metrics=metrics, queue_url=lambda: get_settings().poison_queue_url)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    get_settings()  # a deployment error (a missing setting) fails before anything else
    parsed = accept_event(
        event,
        UPLOAD_RECEIVED,
        logger=logger,
        metrics=metrics,
        rejected="upload",
        metric="InvalidUploads",
    )
    logger.append_keys(order_id=parsed.detail.order.order_id)
    steps = runtime()
    steps.config.register_lambda_context(context)
    return steps.run(upload=parsed.detail)


def _redelivered(response: Any, idempotent_data: DataRecord) -> Any:
    """Called by Powertools when the order's message was posted before."""
    logger.info("order seen before; its message was posted then", extra={"result": response})
    metrics.add_metric(name="DuplicateNotifications", unit=MetricUnit.Count, value=1)
    return response


@cache
def runtime() -> Once:
    """The idempotent post, built by the first valid event, kept while warm."""
    from handlers.common.idempotency import once  # noqa: PLC0415 - first valid event

    settings = get_settings()

    def post_once(upload: UploadReceived) -> dict[str, Any]:
        try:
            status = post_message(
                webhook_url(settings),
                order_message(upload),
                timeout_seconds=settings.webhook_timeout_seconds,
            )
        except WebhookError as exc:
            logger.error("notification failed", extra={"reason": str(exc)})
            metrics.add_metric(name="NotificationsFailed", unit=MetricUnit.Count, value=1)
            raise
        logger.info("notification sent", extra={"status": status})
        metrics.add_metric(name="NotificationsSent", unit=MetricUnit.Count, value=1)
        return {"orderId": upload.order.order_id, "status": status}

    return once(
        post_once,
        argument="upload",
        key=IDEMPOTENCY_KEY,
        table_name=settings.idempotency_table_name,
        ttl_seconds=settings.idempotency_ttl_seconds,
        on_repeat=_redelivered,
    )


cold_start.imported()  # last: the module is imported (handlers.common.cold_start)
