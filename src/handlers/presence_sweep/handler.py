"""Lambda entry point of the presence sweep, invoked by its schedule (EventBridge Scheduler).

Each run removes the members whose expiry has passed, a page at a time, while pages come back
full and time is left (``logic.sweep``: conditional deletes, so overlapping runs remove each
member once). Their leaves are announced from the table's stream (``handlers.presence_stream``),
not here. A run that fails is not retried: the next run sweeps what it left (the schedule's
retries and dead-letter queue are for failing to hand a run to Lambda).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.common import cold_start
from handlers.presence.logic import epoch_now, sweep
from handlers.presence_sweep.settings import get_settings

if TYPE_CHECKING:
    from handlers.presence.logic import MemberStore

logger = Logger()
metrics = Metrics()


@cache
def store() -> MemberStore:
    from handlers.common import clients  # noqa: PLC0415 - boto3 off the import path
    from handlers.presence.dal import DynamoDBMemberStore  # noqa: PLC0415

    return DynamoDBMemberStore(get_settings().presence_table_name, clients.dynamodb())


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    settings = get_settings()
    removed = pages = 0
    while context.get_remaining_time_in_millis() > settings.reserve_ms:
        pages += 1
        leaves = sweep(store(), epoch_now(), settings.sweep_page)
        removed += len(leaves)
        if len(leaves) < settings.sweep_page:
            break
    metrics.add_metric(name="PresenceMembersSwept", unit=MetricUnit.Count, value=removed)
    logger.info("presence swept", extra={"removed": removed, "pages": pages})
    return {"removed": removed, "pages": pages}


cold_start.imported()  # last: the module is imported (handlers.common.cold_start)
