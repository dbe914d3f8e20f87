"""Lambda entry point of the presence table's stream: each change a member made (or the sweep
made for it) announced on ``/presence/<channel>`` (``logic.outgoing``).

Records are published in order, one by one, through the Event API (SigV4, the function's role).
The first that cannot be published is reported in ``batchItemFailures`` and the rest of the
batch is not tried: Lambda retries from the lowest failed sequence number, so announcements
keep the table's order (Powertools' ``BatchProcessor`` would go on past a failure and let a
later change be announced before an earlier one). A record handed over again is announced
once: the durable presence channel keeps each announcement's message id.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBStreamEvent,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.common import cold_start
from handlers.presence_stream.logic import outgoing
from handlers.presence_stream.settings import get_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse

    from handlers.common.events_publisher import EventsPublisher

logger = Logger()
metrics = Metrics()


@cache
def publisher() -> EventsPublisher:
    """The Event API publisher, built by the first record to announce, kept while warm."""
    import boto3  # noqa: PLC0415 - off the import path

    from handlers.common.events_publisher import EventsPublisher  # noqa: PLC0415

    settings = get_settings()
    return EventsPublisher(
        url=settings.events_publish_url,
        region=settings.region,
        credentials=boto3.Session().get_credentials,
        timeout_seconds=settings.publish_timeout_seconds,
        attempts=settings.publish_attempts,
    )


def announce(record: DynamoDBRecord) -> None:
    """Publish what one record announces; raises (the record fails) when it cannot."""
    name = record.event_name.name if record.event_name else None
    change = record.dynamodb
    at = (change.approximate_creation_date_time or 0) if change else 0
    found = outgoing(
        name, change.old_image if change else None, change.new_image if change else None, at
    )
    if found is None:
        return
    publisher().publish(found.channel, [json.dumps(found.payload, separators=(",", ":"))])
    metrics.add_metric(
        name=f"Presence{str(found.payload['action']).title()}sAnnounced",
        unit=MetricUnit.Count,
        value=1,
    )


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    for record in DynamoDBStreamEvent(event).records:
        try:
            announce(record)
        except Exception:  # any failure: Lambda retries from this record
            sequence = record.dynamodb.sequence_number if record.dynamodb else None
            logger.exception("presence change not announced", extra={"sequence": sequence})
            metrics.add_metric(name="PresenceAnnouncementsFailed", unit=MetricUnit.Count, value=1)
            return {"batchItemFailures": [{"itemIdentifier": sequence or ""}]}
    return {"batchItemFailures": []}


cold_start.imported()  # last: the module is imported (handlers.common.cold_start)
