"""Lambda entry point of the AppSync Events namespaces (direct integration, REQUEST_RESPONSE).

Publish: every item is validated against its channel's model and answered on its own, so one
bad item fails alone with an error naming the field. Subscribe: private channels
(``/answers/<user id>``, ``/reports/<user id>``) only for their owner. Paths no namespace
handles here are refused, never passed through.

Cold start (see ``handlers/__init__.py`` and `make bench`): no X-Ray SDK, boto3 only on the
first stored answer, and each namespace's pydantic models are built on their first use
(``defer_build``), so a subscription or a chat message never builds the answers' validators.
Items are counted, and rejected ones logged, once per request from its answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import AppSyncEventsResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.channels.identity import Caller, caller_from_identity
from handlers.channels.logic import (
    AnswerStore,
    Channel,
    ChannelRefusedError,
    InvalidPayloadError,
    StorageError,
    UnknownChannelError,
    channel_of,
    deliver_chat_message,
    deliver_report,
    require_own_channel,
    submit_answer,
)
from handlers.channels.settings import get_settings

logger = Logger()
metrics = Metrics()
app = AppSyncEventsResolver()  # type: ignore[no-untyped-call]  # Powertools leaves __init__ unannotated

# Errors a client caused (or may retry); their message is the item's answer.
_CLIENT_ERRORS = (InvalidPayloadError, ChannelRefusedError, UnknownChannelError, StorageError)


@cache
def get_store() -> AnswerStore:
    """The answer store, created on first use and reused by warm invocations."""
    # Imported here, not at the top: boto3 adds ~0.3 s to a cold start that chat
    # messages and subscriptions never need.
    from handlers.channels.dal import DynamoDBAnswerStore  # noqa: PLC0415
    from handlers.common import clients  # noqa: PLC0415

    return DynamoDBAnswerStore(get_settings().answers_table_name, clients.dynamodb())


class InternalError(RuntimeError):
    """An unexpected failure; details are in the function's log, not in the answer."""


def _caller() -> Caller:
    caller: Caller = app.context["caller"]
    return caller


def _segments() -> tuple[str, ...]:
    channel: Channel = app.context["channel"]
    return channel.segments


def _publish_item(produce: Callable[[], Mapping[str, Any]]) -> Mapping[str, Any]:
    """Run one item's logic; turn an unexpected failure into a safe error.

    A client's error is the item's answer as it is; it is logged and counted with the others
    of its request by ``_account_items``.
    """
    try:
        return produce()
    except _CLIENT_ERRORS:
        raise
    except Exception as exc:
        logger.exception("publish item failed")
        raise InternalError("the item could not be processed; publish it again") from exc


def _account_items(response: Any) -> None:
    """Count one publish request's items, and log its rejected ones in one line."""
    items = response.get("events") if isinstance(response, dict) else None
    if not isinstance(items, list):
        return
    rejected = [
        {"id": item.get("id"), "reason": item["error"]} for item in items if "error" in item
    ]
    if published := len(items) - len(rejected):
        metrics.add_metric(name="ItemsPublished", unit=MetricUnit.Count, value=published)
    if rejected:
        metrics.add_metric(name="ItemsRejected", unit=MetricUnit.Count, value=len(rejected))
        logger.warning("publish items rejected", extra={"rejected": rejected})


def _allow_subscription() -> None:
    metrics.add_metric(name="SubscriptionsAllowed", unit=MetricUnit.Count, value=1)


def _refuse_subscription(exc: Exception) -> None:
    logger.warning("subscription refused", extra={"reason": str(exc)})
    metrics.add_metric(name="SubscriptionsRefused", unit=MetricUnit.Count, value=1)
    raise exc


# --- publish -------------------------------------------------------------------------------


@app.on_publish("/chat/*")
def publish_chat(payload: Any) -> Mapping[str, Any]:
    return _publish_item(lambda: deliver_chat_message(payload, _caller(), _segments()))


@app.on_publish("/answers/*")
def publish_answer(payload: Any) -> Mapping[str, Any]:
    return _publish_item(lambda: submit_answer(payload, _caller(), _segments(), get_store))


def _unknown_channel() -> dict[str, Any]:
    raise UnknownChannelError(f"no channel {app.current_event.info.channel_path} here")


@app.on_publish("/reports/*")
def publish_report(payload: Any) -> Mapping[str, Any]:
    return _publish_item(lambda: deliver_report(payload, _caller(), _segments()))


@app.on_publish("/*")
def publish_elsewhere(payload: Any) -> Mapping[str, Any]:  # Powertools passes the payload
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
    caller = caller_from_identity(event.get("identity"), get_settings().identity_rules)
    namespace = info["channelNamespace"]["name"]
    publishing = info["operation"] == "PUBLISH"
    metrics.add_dimension(name="ChannelNamespace", value=namespace)
    logger.append_keys(
        channel=info["channel"]["path"],
        operation=info["operation"],
        auth=caller.kind.value,
        user_id=caller.user_id,
        service=caller.service,
    )
    try:
        channel = channel_of(info["channel"]["path"], namespace, subscribe=not publishing)
    except UnknownChannelError as exc:
        response = _refuse_request(exc, event.get("events") if publishing else None)
    else:
        # Read by the routes through _caller() and _segments().
        app.append_context(caller=caller, channel=channel)  # type: ignore[no-untyped-call]
        response = app.resolve(event, context)
    if publishing:
        _account_items(response)
    return response


def _refuse_request(exc: UnknownChannelError, items: Any) -> Any:
    """The answer to a request whose channel is refused before any route: every published item
    fails with the reason, a subscription is refused with it."""
    error = f"{type(exc).__name__} - {exc}"
    if items is None:
        logger.warning("subscription refused", extra={"reason": str(exc)})
        metrics.add_metric(name="SubscriptionsRefused", unit=MetricUnit.Count, value=1)
        return {"error": error}
    return {"events": [{"id": item.get("id"), "error": error} for item in items]}
