"""Lambda entry point of the AppSync Events namespaces (direct integration, REQUEST_RESPONSE).

Publish: every item is validated against its channel's model and answered on its own, so one
bad item fails alone with an error naming the field. Subscribe: private channels
(``/answers/<user id>``, ``/reports/<user id>``) only for their owner. Paths no namespace
handles here are refused, never passed through.

Tracing: the function runs with Lambda active tracing, which records every invocation
(initialisation included) as a trace segment at no import cost. The Powertools Tracer is
deliberately not used here: importing it (the X-Ray SDK) took this handler's cold import from
0.59 s to 1.03 s (Python 3.13, no cached bytecode, median of 5), and the handler makes at most
one AWS call per item. boto3 is imported on the first stored answer only, for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import AppSyncEventsResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.channels.identity import Caller, caller_from_identity
from handlers.channels.logic import (
    AnswerStore,
    ChannelRefusedError,
    InvalidPayloadError,
    StorageError,
    UnknownChannelError,
    deliver_chat_message,
    require_own_channel,
    submit_answer,
)
from handlers.channels.settings import get_settings

logger = Logger()
metrics = Metrics()
app = AppSyncEventsResolver()  # type: ignore[no-untyped-call]  # Powertools leaves __init__ unannotated

# Errors a client caused (or may retry); their message is the item's answer.
_CLIENT_ERRORS = (InvalidPayloadError, ChannelRefusedError, UnknownChannelError, StorageError)

_store: AnswerStore | None = None


def get_store() -> AnswerStore:
    """The answer store, created on first use and reused by warm invocations."""
    global _store  # noqa: PLW0603 - one client per execution environment
    if _store is None:
        # Imported here, not at the top: boto3 adds ~0.3 s to a cold start that chat
        # messages and subscriptions never need.
        import boto3  # noqa: PLC0415

        from handlers.channels.dal import DynamoDBAnswerStore  # noqa: PLC0415

        _store = DynamoDBAnswerStore(get_settings().answers_table_name, boto3.client("dynamodb"))
    return _store


class InternalError(RuntimeError):
    """An unexpected failure; details are in the function's log, not in the answer."""


def _caller() -> Caller:
    caller: Caller = app.context["caller"]
    return caller


def _segments() -> list[str]:
    return list(app.current_event.info.channel_segments)


def _publish_item(produce: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run one item's logic; count it, and turn an unexpected failure into a safe error."""
    try:
        result = produce()
    except _CLIENT_ERRORS as exc:
        logger.warning("publish item rejected", extra={"reason": str(exc)})
        metrics.add_metric(name="ItemsRejected", unit=MetricUnit.Count, value=1)
        raise
    except Exception as exc:
        logger.exception("publish item failed")
        metrics.add_metric(name="ItemsRejected", unit=MetricUnit.Count, value=1)
        raise InternalError("the item could not be processed; publish it again") from exc
    metrics.add_metric(name="ItemsPublished", unit=MetricUnit.Count, value=1)
    return result


def _allow_subscription() -> None:
    metrics.add_metric(name="SubscriptionsAllowed", unit=MetricUnit.Count, value=1)


def _refuse_subscription(exc: Exception) -> None:
    logger.warning("subscription refused", extra={"reason": str(exc)})
    metrics.add_metric(name="SubscriptionsRefused", unit=MetricUnit.Count, value=1)
    raise exc


# --- publish -------------------------------------------------------------------------------


@app.on_publish("/chat/*")
def publish_chat(payload: Any) -> dict[str, Any]:
    return _publish_item(lambda: deliver_chat_message(payload, _caller(), _segments()))


@app.on_publish("/answers/*")
def publish_answer(payload: Any) -> dict[str, Any]:
    return _publish_item(lambda: submit_answer(payload, _caller(), _segments(), get_store))


def _refuse_report() -> dict[str, Any]:
    raise ChannelRefusedError("/reports channels are published by the platform only")


def _unknown_channel() -> dict[str, Any]:
    raise UnknownChannelError(f"no channel {app.current_event.info.channel_path} here")


@app.on_publish("/reports/*")
def publish_report(payload: Any) -> dict[str, Any]:  # Powertools passes the payload
    return _publish_item(_refuse_report)


@app.on_publish("/*")
def publish_elsewhere(payload: Any) -> dict[str, Any]:  # Powertools passes the payload
    return _publish_item(_unknown_channel)


# --- subscribe -----------------------------------------------------------------------------


@app.on_subscribe("/chat/*")
def subscribe_chat() -> None:
    """Chat rooms are open to every caller the namespace's auth modes let in."""
    _allow_subscription()


@app.on_subscribe("/answers/*")
@app.on_subscribe("/reports/*")
def subscribe_own_channel() -> None:
    try:
        require_own_channel(_caller(), _segments())
    except ChannelRefusedError as exc:
        _refuse_subscription(exc)
    _allow_subscription()


@app.on_subscribe("/*")
def subscribe_elsewhere() -> None:
    _refuse_subscription(
        UnknownChannelError(f"no channel {app.current_event.info.channel_path} here")
    )


# --- entry point ---------------------------------------------------------------------------


@logger.inject_lambda_context(correlation_id_path=correlation_paths.APPSYNC_RESOLVER)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    info = event["info"]
    caller = caller_from_identity(event.get("identity"))
    metrics.add_dimension(name="ChannelNamespace", value=info["channelNamespace"]["name"])
    logger.append_keys(
        channel=info["channel"]["path"],
        operation=info["operation"],
        auth=caller.kind.value,
        user_id=caller.user_id,
    )
    app.context["caller"] = caller  # read by the routes through _caller()
    return app.resolve(event, context)
