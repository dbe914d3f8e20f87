"""Lambda entry point of the user service's stream: stored answers -> ``AnswerSubmitted``.

The answers table's stream (new and old images) comes in batches. Powertools'
``BatchProcessor`` turns each INSERT or MODIFY record into a ``PutEvents`` entry (REMOVE
records have nothing to announce; ``logic.entry_of``); ``logic.announce`` puts them on the
bus. A record fails alone, and is reported in ``batchItemFailures`` so that Lambda retries
from it, when its item does not make a valid event or when EventBridge did not take its entry
(``FailedEntryCount`` and each entry's ``ErrorCode`` are checked). The event source mapping
bounds the retries and the record age, bisects failing batches, and sends what is still
failing to an SQS queue (``modules/lambda-function``, ``event_source_mappings``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.answers_stream.logic import announce, entry_of
from handlers.answers_stream.settings import get_settings

if TYPE_CHECKING:
    from collections.abc import Sequence

    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse

    from handlers.common.bus import EntryFailure

logger = Logger()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def to_entry(record: DynamoDBRecord) -> dict[str, Any] | None:
    """The PutEvents entry of one stream record; None for a REMOVE."""
    name = record.event_name.name if record.event_name else None
    new_image = record.dynamodb.new_image if record.dynamodb else {}
    return entry_of(name, new_image, get_settings().event_bus_name)


def put_entries(entries: Sequence[dict[str, Any]]) -> list[EntryFailure | None]:
    """Put ``entries`` on the bus (imported by the first batch with something to put)."""
    from handlers.common import clients  # noqa: PLC0415 - off the import path
    from handlers.common.bus import put_events  # noqa: PLC0415

    return put_events(clients.events(), entries)


def _sequence_number(raw: dict[str, Any]) -> str | None:
    number = (raw.get("dynamodb") or {}).get("SequenceNumber")
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
        outcome = announce(ready, put_entries)
        if outcome.failed:
            from handlers.common.bus import PublishError  # noqa: PLC0415 - off the cold path
        for raw, failure in outcome.failed:
            logger.warning(
                "answer event not put on the bus",
                extra={"sequence_number": _sequence_number(raw), "reason": str(failure)},
            )
            # Powertools' own hook for a failed record: it joins batchItemFailures.
            error = PublishError(str(failure))
            processor.failure_handler(
                record=DynamoDBRecord(raw), exception=(PublishError, error, None)
            )
        if outcome.published:
            metrics.add_metric(
                name="AnswersPublished", unit=MetricUnit.Count, value=len(outcome.published)
            )
        if processor.fail_messages:
            metrics.add_metric(
                name="AnswerRecordsFailed",
                unit=MetricUnit.Count,
                value=len(processor.fail_messages),
            )
    return processor.response()
