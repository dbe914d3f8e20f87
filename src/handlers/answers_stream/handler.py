"""Lambda entry point of the user service's stream: stored answers -> ``AnswerSubmitted``.

The answers table's stream (new and old images) comes in batches. Powertools'
``BatchProcessor`` turns each INSERT or MODIFY record into a ``PutEvents`` entry (REMOVE
records have nothing to announce; ``logic.entry_or_poison``); ``logic.announce`` puts them
on the bus. Each record has one of three ends:

- announced;
- **poisoned** when it can never be announced (its item does not make a valid event, or
  EventBridge refuses the entry itself): sent to the poison queue with its reason, and
  reported as processed, so that no retry is burnt on it. A poisoned record behind a failed
  one waits: Lambda hands it back with the retry, and it is parked then, once;
- **failed** when EventBridge did not take it for now (throttling, an outage): reported in
  ``batchItemFailures``, so that Lambda retries from it. The event source mapping bounds the
  retries and the record age, bisects failing batches, and sends what still fails to an SQS
  queue (``modules/lambda-function``, ``event_source_mappings``).

Without a poison queue (``POISON_QUEUE_URL`` unset) a poisoned record fails like the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.answers_stream.logic import Poisoned, announce, entry_or_poison
from handlers.answers_stream.settings import get_settings
from handlers.common import cold_start

if TYPE_CHECKING:
    from collections.abc import Sequence

    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse

    from handlers.common.bus import EntryFailure

logger = Logger()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def to_entry(record: DynamoDBRecord) -> dict[str, Any] | Poisoned | None:
    """The PutEvents entry of one stream record; None for a REMOVE."""
    name = record.event_name.name if record.event_name else None
    new_image = record.dynamodb.new_image if record.dynamodb else {}
    return entry_or_poison(name, new_image, get_settings().event_bus_name)


def put_entries(entries: Sequence[dict[str, Any]]) -> list[EntryFailure | None]:
    """Put ``entries`` on the bus (imported by the first batch with something to put)."""
    from handlers.common import clients  # noqa: PLC0415 - off the import path
    from handlers.common.bus import put_events  # noqa: PLC0415

    return put_events(clients.events(), entries)


def _sequence_number(raw: dict[str, Any]) -> str | None:
    number = (raw.get("dynamodb") or {}).get("SequenceNumber")
    return str(number) if number is not None else None


def _fail(raw: dict[str, Any], reason: str) -> None:
    """Powertools' own hook for a failed record: it joins batchItemFailures."""
    error = RuntimeError(reason)
    processor.failure_handler(record=DynamoDBRecord(raw), exception=(RuntimeError, error, None))


def _poison(raw: dict[str, Any], reason: str, function: str) -> bool:
    """Send one record to the poison queue; False (the record then fails) when there is
    none or SQS did not take it."""
    queue_url = get_settings().poison_queue_url
    if queue_url is None:
        return False
    from handlers.common.poison import send_to_poison  # noqa: PLC0415 - only when needed

    try:
        send_to_poison(queue_url, function, reason, raw)
    except Exception:
        logger.exception("poisoned record not parked; it will be retried")
        return False
    logger.error(
        "answer record poisoned: it can never be announced",
        extra={"sequence_number": _sequence_number(raw), "reason": reason},
    )
    return True


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    with processor(records=event["Records"], handler=to_entry):
        processed = processor.process()
        ready, poisoned = [], []
        for status, result, raw in processed:
            if status == "fail":  # not expected: to_entry marks what it cannot map
                logger.warning(
                    "answer record rejected",
                    extra={"sequence_number": _sequence_number(raw), "reason": result},
                )
            elif isinstance(result, Poisoned):
                poisoned.append((raw, result.reason))
            elif result:
                ready.append((raw, result))
        outcome = announce(ready, put_entries)
        poisoned += [(raw, str(failure)) for raw, failure in outcome.poisoned]
        order = {_sequence_number(raw): n for n, raw in enumerate(event["Records"])}

        def at(raw: dict[str, Any]) -> int:
            return order[_sequence_number(raw)]

        # Lambda retries the batch from its first failed record: whatever comes after it
        # comes back, and a poisoned record there is parked on that retry (not twice).
        retried_from = min((at(raw) for raw, _ in outcome.failed), default=len(order))
        parked = 0
        for raw, reason in sorted(poisoned, key=lambda pair: at(pair[0])):
            if at(raw) > retried_from:
                continue
            if _poison(raw, reason, context.function_name):
                parked += 1
                continue
            logger.warning(
                "answer record rejected",
                extra={"sequence_number": _sequence_number(raw), "reason": reason},
            )
            _fail(raw, reason)
            retried_from = min(retried_from, at(raw))
        for raw, failure in outcome.failed:
            logger.warning(
                "answer event not put on the bus",
                extra={"sequence_number": _sequence_number(raw), "reason": str(failure)},
            )
            _fail(raw, str(failure))
        for name, value in (
            ("AnswersPublished", len(outcome.published)),
            ("PoisonedEvents", parked),
            ("AnswerRecordsFailed", len(processor.fail_messages)),
        ):
            if value:
                metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    return processor.response()


cold_start.imported()  # last: the module is imported (handlers.common.cold_start)
