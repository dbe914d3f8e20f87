"""The platform's poison queue: events that can never succeed, each with its reason.

A consumer that meets a permanent failure (``handlers.common.failures``) sends the event it
was given here, instead of raising: no retries are burnt on it, no outage alarm waits on it,
and the operator reads, in one place, what was refused and why (``platform-ops show``). When
the function has no poison queue (``POISON_QUEUE_URL`` unset, as a module user may deploy
it), a permanent failure raises like any other and ends in the function's failure queue.

Message: ``{"function", "reason", "kind": "permanent", "payload": <the event or record>,
"poisonedAt"}``, with the function and a short reason also as message attributes.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import Field

from handlers.common.failures import classify
from handlers.common.settings import EnvSettings

Handler = TypeVar("Handler", bound=Callable[..., Any])

# SQS message attribute values are strings of at most 256 KB; a reason is kept short.
_ATTRIBUTE_LIMIT = 256


class PoisonSettings(EnvSettings):
    """The poison queue of a consumer; None: permanent failures raise like transient ones."""

    poison_queue_url: str | None = Field(alias="POISON_QUEUE_URL", default=None, min_length=1)


def poison_message(function: str, reason: str, payload: Any) -> dict[str, Any]:
    return {
        "function": function,
        "reason": reason,
        "kind": "permanent",
        "payload": payload,
        "poisonedAt": datetime.now(UTC).isoformat(),
    }


def send_to_poison(queue_url: str, function: str, reason: str, payload: Any) -> None:
    """Put one poisoned event on the queue; raises when SQS did not take it (so the caller
    fails and its source retries: nothing is lost)."""
    from handlers.common import clients  # noqa: PLC0415 - boto3 off the cold path

    clients.sqs().send_message(
        QueueUrl=queue_url,
        MessageBody=json.dumps(poison_message(function, reason, payload), default=str),
        MessageAttributes={
            "function": {"DataType": "String", "StringValue": function},
            "reason": {"DataType": "String", "StringValue": reason[:_ATTRIBUTE_LIMIT] or "-"},
        },
    )


def poison_or_raise(
    exc: Exception,
    payload: Any,
    *,
    queue_url: str | None,
    function: str,
    logger: Logger,
    metrics: Metrics,
) -> dict[str, Any]:
    """Called with the exception a consumer's step raised: a permanent failure is sent to the
    poison queue and answered (so Lambda does not retry it); anything else is raised again."""
    if queue_url is None or classify(exc) != "permanent":
        raise exc
    reason = str(exc) or type(exc).__name__
    send_to_poison(queue_url, function, reason, payload)
    logger.error("event poisoned: it can never succeed", extra={"reason": reason})
    metrics.add_metric(name="PoisonedEvents", unit=MetricUnit.Count, value=1)
    return {"poisoned": reason}


def poison_permanent(
    *, logger: Logger, metrics: Metrics, queue_url: Callable[[], str | None]
) -> Callable[[Handler], Handler]:
    """Decorate a consumer's ``lambda_handler(event, context)``: what it raises is sent to
    the poison queue when permanent (and answered), and raised again otherwise."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def run(event: Any, context: Any) -> Any:
            try:
                return handler(event, context)
            except Exception as exc:  # noqa: BLE001 - raised again unless permanent
                return poison_or_raise(
                    exc,
                    event,
                    queue_url=queue_url(),
                    function=context.function_name,
                    logger=logger,
                    metrics=metrics,
                )

        return run  # type: ignore[return-value]

    return wrap
