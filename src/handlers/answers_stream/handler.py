"""Lambda entry point of the user service's stream: stored answers -> ``AnswerSubmitted``.

The answers table's stream (new and old images) comes in batches. Powertools'
``BatchProcessor`` turns each INSERT or MODIFY record into a ``PutEvents`` entry (REMOVE
records have nothing to announce); the entries go on the bus in requests of at most 10.
A record fails alone, and is reported in ``batchItemFailures`` so that Lambda retries from
it, when its item does not make a valid event or when EventBridge did not take its entry
(``FailedEntryCount`` and each entry's ``ErrorCode`` are checked). The event source mapping
bounds the retries and the record age, bisects failing batches, and sends what is still
failing to an SQS queue (``modules/lambda-function``, ``event_source_mappings``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.answers_stream.logic import answer_submitted
from handlers.answers_stream.settings import get_settings
from handlers.contracts import ANSWER_SUBMITTED

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from mypy_boto3_events import EventBridgeClient

logger = Logger()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)

_events: EventBridgeClient | None = None


def events_client() -> EventBridgeClient:
    """The EventBridge client, created by the first batch with something to put."""
    global _events  # noqa: PLW0603 - one client per execution environment
    if _events is None:
        import boto3  # noqa: PLC0415 - off the import path

        _events = boto3.client("events")
    return _events


def to_entry(record: DynamoDBRecord) -> dict[str, Any] | None:
    """The PutEvents entry of one stream record; None for a REMOVE."""
    name = record.event_name
    if name is None or name is DynamoDBRecordEventName.REMOVE:
        return None
    change: Literal["created", "updated"] = (
        "created" if name is DynamoDBRecordEventName.INSERT else "updated"
    )
    answer = answer_submitted(record.dynamodb.new_image if record.dynamodb else {}, change)
    return ANSWER_SUBMITTED.entry(answer, get_settings().event_bus_name)


def _sequence_number(raw: dict[str, Any]) -> str | None:
    dynamodb = raw.get("dynamodb") or {}
    number = dynamodb.get("SequenceNumber")
    return str(number) if number is not None else None


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    with processor(records=event["Records"], handler=to_entry):
        processed = processor.process()
        for status, reason, raw in processed:
            if status == "fail":
                logger.warning(
                    "answer record rejected",
                    extra={"sequence_number": _sequence_number(raw), "reason": reason},
                )
        ready = [(raw, entry) for status, entry, raw in processed if status == "success" and entry]
        published = 0
        if ready:
            from handlers.common.bus import PublishError, put_events  # noqa: PLC0415

            failures = put_events(events_client(), [entry for _, entry in ready])
            for (raw, _), failure in zip(ready, failures, strict=True):
                if failure is None:
                    published += 1
                    continue
                logger.warning(
                    "answer event not put on the bus",
                    extra={"sequence_number": _sequence_number(raw), "reason": str(failure)},
                )
                error = PublishError(str(failure))
                # Powertools' own hook for a failed record: it joins batchItemFailures.
                processor.failure_handler(
                    record=DynamoDBRecord(raw), exception=(PublishError, error, None)
                )
        if published:
            metrics.add_metric(name="AnswersPublished", unit=MetricUnit.Count, value=published)
        if processor.fail_messages:
            metrics.add_metric(
                name="AnswerRecordsFailed",
                unit=MetricUnit.Count,
                value=len(processor.fail_messages),
            )
    return processor.response()
