"""Lambda entry point: EventBridge ``UploadReceived`` -> order in DynamoDB.

Traces come from Lambda active tracing (see ``handlers/__init__.py``); boto3 and the DynamoDB
client are created on the first valid event, so a rejected event never pays for them.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.capture_order.logic import capture_order
from handlers.capture_order.settings import get_settings
from handlers.common import cold_start
from handlers.common.events import accept_event
from handlers.common.poison import poison_permanent
from handlers.contracts import UPLOAD_RECEIVED

if TYPE_CHECKING:
    from handlers.capture_order.logic import OrderStore

logger = Logger()
metrics = Metrics()


@cache
def get_store() -> OrderStore:
    """The order store, created on first use and reused by warm invocations."""
    from handlers.capture_order.dal import DynamoDBOrderStore  # noqa: PLC0415 - see docstring
    from handlers.common import clients  # noqa: PLC0415

    return DynamoDBOrderStore(get_settings().orders_table_name, clients.dynamodb())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE)
@metrics.log_metrics
# Permanent failures (an invalid upload) go to the poison queue; anything else is raised:
# Lambda retries the event, then sends it with the error to the function's failure queue.
@poison_permanent(logger=logger, metrics=metrics, queue_url=lambda: get_settings().poison_queue_url)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    parsed = accept_event(
        event,
        UPLOAD_RECEIVED,
        logger=logger,
        metrics=metrics,
        rejected="upload",
        metric="InvalidUploads",
    )
    result = capture_order(parsed, get_store())
    logger.append_keys(order_id=result.order_id)
    if result.created:
        logger.info("order captured")
        metrics.add_metric(name="OrdersCaptured", unit=MetricUnit.Count, value=1)
    else:
        logger.info("order already captured; redelivery ignored")
        metrics.add_metric(name="DuplicateUploads", unit=MetricUnit.Count, value=1)
    return {"orderId": result.order_id, "created": result.created}


cold_start.imported()  # last: the module is imported (handlers.common.cold_start)
