"""Lambda entry point of the AppSync Events namespaces (direct integration, REQUEST_RESPONSE).

Publish: every item is validated against its channel's model and answered on its own, so one
bad item fails alone with an error naming the field. On a durable namespace (HISTORY_NAMESPACES)
the accepted items are then numbered and kept before the answer (``history.keep``): chat and
reports are aggregated routes, so one request's items share one counter write. Subscribe:
``require_subscription`` (the history API's rule too): private channels (``/answers/<user
id>``, ``/reports/<user id>``) only for their owner. Paths no namespace handles here are
refused, never passed through.

Cold start (see ``handlers/__init__.py`` and `make bench`): no X-Ray SDK, boto3 only on the
first stored answer or kept event, and each namespace's pydantic models are built on their first use
(``defer_build``), so a subscription or a chat message never builds the answers' validators.
The records on its import path (``Caller``, ``IdentityRules``, ``Channel``, ``Entry``,
``KeptEvent``...) are ``NamedTuple``s, not frozen dataclasses: a dataclass writes its methods
as source and compiles them at import, about 2.5 M instructions each, some 3% of this
module's cold start. Items are counted, and rejected ones logged, once per request from its answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler.events_appsync.appsync_events import (
    AppSyncEventsResolver,
)
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.channels.history import AlreadyPublishedError, Entry, keep
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
    deliver_presence,
    deliver_report,
    message_id_of,
    require_subscription,
    submit_answer,
)
from handlers.channels.settings import get_settings
from handlers.common import cold_start

if TYPE_CHECKING:
    from handlers.channels.history import HistoryStore

logger = Logger()
metrics = Metrics()
app = AppSyncEventsResolver()  # type: ignore[no-untyped-call]  # Powertools leaves __init__ unannotated

# Errors a client caused (or may retry); their message is the item's answer.
_CLIENT_ERRORS = (
    InvalidPayloadError,
    ChannelRefusedError,
    UnknownChannelError,
    StorageError,
    AlreadyPublishedError,
)


@cache
def get_store() -> AnswerStore:
    """The answer store, created on first use and reused by warm invocations."""
    # Imported here, not at the top: boto3 adds ~0.3 s to a cold start that chat
    # messages and subscriptions never need.
    from handlers.channels.dal import DynamoDBAnswerStore  # noqa: PLC0415
    from handlers.common import clients  # noqa: PLC0415

    return DynamoDBAnswerStore(get_settings().answers_table_name, clients.dynamodb())


@cache
def get_history() -> HistoryStore:
    """The channel history store, created on first use and reused by warm invocations."""
    from handlers.channels.dal import DynamoDBHistoryStore  # noqa: PLC0415
    from handlers.common import clients  # noqa: PLC0415

    table = get_settings().history_table_name
    if table is None:  # only durable namespaces ask for it, and they need the table
        raise InternalError("HISTORY_TABLE_NAME is not set")
    return DynamoDBHistoryStore(table, clients.dynamodb())


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


def _error_text(exc: Exception) -> str:
    """An item's error as Powertools words it for a route that is not aggregated."""
    return f"{type(exc).__name__} - {exc}"


def _publish_batch(
    events: Sequence[Mapping[str, Any]], produce: Callable[[Any], Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """A request's items (an aggregated route): each validated and transformed alone, then,
    on a durable namespace, numbered and kept in history before the answer (``keep``)."""
    answers: list[dict[str, Any]] = []
    entries: list[Entry] = []
    for event in events:
        try:
            delivered = _publish_item(partial(produce, event.get("payload")))
        except Exception as exc:  # noqa: BLE001 - each item's error is its own answer
            answers.append({"id": event.get("id"), "error": _error_text(exc)})
            continue
        answers.append({"id": event.get("id"), "payload": delivered})
        entries.append(Entry(str(event.get("id")), message_id_of(delivered), delivered))
    channel: Channel = app.context["channel"]
    days = get_settings().history_days.get(channel.namespace)
    if days is None or not entries:
        return answers
    try:
        outcomes = keep(channel.path, entries, get_history(), ttl_days=days)
    except Exception:
        logger.exception("keeping history failed")
        outcomes = [InternalError("the items could not be kept; publish them again")] * len(entries)
    if not_kept := sum(isinstance(o, StorageError | InternalError) for o in outcomes):
        metrics.add_metric(name="ItemsNotKept", unit=MetricUnit.Count, value=not_kept)
    by_id = {entry.id: outcome for entry, outcome in zip(entries, outcomes, strict=True)}
    for n, answer in enumerate(answers):
        outcome = by_id.get(str(answer["id"]))
        if isinstance(outcome, Exception):
            answers[n] = {"id": answer["id"], "error": _error_text(outcome)}
        elif outcome is not None:
            answer["payload"] = outcome
    return answers


def _account_items(response: Any) -> None:
    """Count one publish request's items, and log its rejected ones in one line. A repeat of
    a kept message id (AlreadyPublishedError) is counted apart: it is no rejection."""
    items = response.get("events") if isinstance(response, dict) else None
    if not isinstance(items, list):
        return
    errors = [item for item in items if "error" in item]
    repeated = [i for i in errors if str(i["error"]).startswith("AlreadyPublishedError - ")]
    rejected = [{"id": i.get("id"), "reason": i["error"]} for i in errors if i not in repeated]
    if published := len(items) - len(errors):
        metrics.add_metric(name="ItemsPublished", unit=MetricUnit.Count, value=published)
    if repeated:
        metrics.add_metric(name="ItemsRepeated", unit=MetricUnit.Count, value=len(repeated))
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


@app.on_publish("/chat/*", aggregate=True)
def publish_chat(payload: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return _publish_batch(payload, lambda item: deliver_chat_message(item, _caller(), _segments()))


@app.on_publish("/answers/*")
def publish_answer(payload: Any) -> Mapping[str, Any]:
    return _publish_item(lambda: submit_answer(payload, _caller(), _segments(), get_store))


def _unknown_channel() -> dict[str, Any]:
    raise UnknownChannelError(f"no channel {app.current_event.info.channel_path} here")


@app.on_publish("/reports/*", aggregate=True)
def publish_report(payload: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return _publish_batch(payload, lambda item: deliver_report(item, _caller(), _segments()))


@app.on_publish("/presence/*", aggregate=True)
def publish_presence(payload: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return _publish_batch(payload, lambda item: deliver_presence(item, _caller(), _segments()))


@app.on_publish("/*")
def publish_elsewhere(payload: Any) -> Mapping[str, Any]:  # Powertools passes the payload
    return _publish_item(_unknown_channel)


# --- subscribe -----------------------------------------------------------------------------


@app.on_subscribe("/*")
def subscribe() -> None:
    """One rule for every namespace (``require_subscription``), as the history API applies."""
    try:
        require_subscription(_caller(), app.context["channel"])
    except (ChannelRefusedError, UnknownChannelError) as exc:
        _refuse_subscription(exc)
    _allow_subscription()


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


cold_start.imported()  # last: the module is imported (handlers.common.cold_start)
