"""Lambda entry point of report delivery: ``ReportReady`` -> reports table -> the user's channel.

The report is stored, then published to ``/reports/<user id>`` on the Event API over HTTPS,
signed with SigV4 as this function's role (``appsync:EventPublish`` on that namespace only).
Throttling and server errors are retried with backoff inside the invocation; when the report
still cannot be delivered the function fails, so that it is retried and then dead-lettered.
Delivery is at least once: a redelivered report overwrites its own item and may be published
again with the same ``reportId``.

boto3, botocore's signer and the clients are created by the first valid event.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.common import cold_start
from handlers.common.events import accept_event
from handlers.common.poison import poison_permanent
from handlers.contracts import REPORT_READY
from handlers.report_delivery.logic import UndeliverableReportError, deliver
from handlers.report_delivery.settings import get_settings

if TYPE_CHECKING:
    from handlers.report_delivery.logic import Publisher, ReportStore

logger = Logger()
metrics = Metrics()


@dataclass(frozen=True)
class _Runtime:
    store: ReportStore
    publisher: Publisher


@cache
def runtime() -> _Runtime:
    """The store and the publisher, built by the first valid event, kept while warm."""
    import boto3  # noqa: PLC0415 - first valid event only

    from handlers.common import clients  # noqa: PLC0415
    from handlers.common.events_publisher import EventsPublisher  # noqa: PLC0415
    from handlers.report_delivery.dal import DynamoDBReportStore  # noqa: PLC0415

    settings = get_settings()
    return _Runtime(
        store=DynamoDBReportStore(settings.reports_table_name, clients.dynamodb()),
        publisher=EventsPublisher(
            url=settings.events_publish_url,
            region=settings.region,
            # botocore's credential chain, refreshed as the role's session rotates.
            credentials=boto3.Session().get_credentials,
            timeout_seconds=settings.publish_timeout_seconds,
            attempts=settings.publish_attempts,
        ),
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE)
@metrics.log_metrics
@poison_permanent(logger=logger, metrics=metrics, queue_url=lambda: get_settings().poison_queue_url)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    parsed = accept_event(
        event,
        REPORT_READY,
        logger=logger,
        metrics=metrics,
        rejected="report event",
        metric="InvalidReports",
    )
    report = parsed.detail
    logger.append_keys(user_id=report.user_id, report_id=report.report_id)
    steps = runtime()
    try:
        channel = deliver(report, steps.store, steps.publisher)
    except UndeliverableReportError as exc:
        logger.error("report cannot be delivered", extra={"reason": str(exc)})
        metrics.add_metric(name="ReportsUndeliverable", unit=MetricUnit.Count, value=1)
        raise  # permanent: to the poison queue
    except Exception as exc:
        # DeliveryError, or the store failing: raise, so the invocation is retried.
        logger.error("report not delivered", extra={"reason": str(exc)})
        metrics.add_metric(name="ReportsNotDelivered", unit=MetricUnit.Count, value=1)
        raise
    logger.info("report delivered", extra={"channel": channel})
    metrics.add_metric(name="ReportsDelivered", unit=MetricUnit.Count, value=1)
    return {"reportId": report.report_id, "channel": channel}


cold_start.imported()  # last: the module is imported (handlers.common.cold_start)
