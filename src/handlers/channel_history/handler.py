"""Lambda entry point: ``GET /channels/{proxy+}`` on the HTTP API -> a durable channel's kept
events after a ``seq`` (``logic.read_history``).

The route is authorised by the HTTP API's JWT authoriser (the platform's user pool); the
caller is the token's ``sub`` and ``iss`` judged by the channel handler's identity rules, never
a request parameter. Query string: ``after`` (a seq, default 0), ``limit`` (1-100),
``cursor`` (a page's ``next``). CORS is answered here for the origins in ``ALLOWED_ORIGINS``,
as ``GET /reports`` does.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler.api_gateway import (
    APIGatewayHttpResolver,
    Response,
)
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.channel_history.logic import (
    HistoryRefusedError,
    HistoryRequestError,
    NoHistoryError,
    Query,
    read_history,
)
from handlers.channel_history.settings import get_settings
from handlers.channels.identity import caller_from_identity
from handlers.common import cold_start
from handlers.common.http_routes import browser_cors, error

if TYPE_CHECKING:
    from handlers.channel_history.logic import HistoryReader

logger = Logger()
metrics = Metrics()

PREFIX = "/channels/"
_STATUS: dict[type[Exception], int] = {
    HistoryRequestError: 400,
    HistoryRefusedError: 403,
    NoHistoryError: 404,
}


@cache
def api() -> APIGatewayHttpResolver:
    """The resolver, built on first use: its CORS settings come from the environment."""
    resolver = APIGatewayHttpResolver(cors=browser_cors(get_settings().origins))
    # Every path under the prefix: the channel's segments are checked by read_history.
    resolver.get(PREFIX.rstrip("/") + "/.+")(channel_history)
    return resolver


@cache
def reader() -> HistoryReader:
    """The table reader, created on the first request and reused while warm."""
    import boto3  # noqa: PLC0415 - off the import path: cold starts stay short

    from handlers.channel_history.dal import DynamoDBHistoryReader  # noqa: PLC0415

    table = get_settings().history_table_name
    if table is None:
        raise RuntimeError("HISTORY_TABLE_NAME is not set")
    return DynamoDBHistoryReader(table, boto3.client("dynamodb"))


def channel_history() -> Response[Any]:
    event = api().current_event
    claims = event.request_context.authorizer.jwt_claim or {}
    if not isinstance(claims.get("sub"), str):
        # Only a route without the authoriser gets here without a subject: refuse it.
        logger.error("no token subject: is the route's JWT authoriser missing?")
        metrics.add_metric(name="HistoryReadsRefused", unit=MetricUnit.Count, value=1)
        return error(401, "Unauthorized")
    settings = get_settings()
    caller = caller_from_identity(
        {"sub": claims["sub"], "issuer": claims.get("iss")}, settings.identity_rules
    )
    params = event.query_string_parameters or {}
    query = Query(
        path=event.raw_path.removeprefix(PREFIX),
        after=params.get("after"),
        limit=params.get("limit"),
        cursor=params.get("cursor"),
    )
    logger.append_keys(channel="/" + query.path, user_id=caller.user_id)
    try:
        page = read_history(
            reader(),
            caller,
            query,
            durable=settings.history_days,
            default_limit=settings.default_page_size,
        )
    except (HistoryRequestError, HistoryRefusedError, NoHistoryError) as exc:
        logger.warning("history request refused", extra={"reason": str(exc)})
        metrics.add_metric(name="HistoryReadsRefused", unit=MetricUnit.Count, value=1)
        return error(_STATUS[type(exc)], str(exc))
    metrics.add_metric(name="HistoryEventsServed", unit=MetricUnit.Count, value=len(page["events"]))
    return Response(status_code=200, content_type="application/json", body=page)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return api().resolve(event, context)


cold_start.imported()  # last: the module is imported (handlers.common.cold_start)
