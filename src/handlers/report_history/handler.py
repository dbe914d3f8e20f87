"""Lambda entry point: ``GET /reports`` on the HTTP API -> the caller's stored reports.

The route is authorised by the HTTP API's JWT authoriser (the platform's Cognito user
pool); the caller is the token's ``sub`` as the authoriser passed it on, never a request
parameter. Query string: ``limit`` (1-50), ``cursor`` (from the previous page's
``nextCursor``), ``questionnaire`` (one questionnaire's reports only).

CORS is answered here, for the origins in ``ALLOWED_ORIGINS`` (the web app's): the preflight
``OPTIONS /reports`` route has no authoriser (browsers send no token with it) and reaches
this function, which answers it without touching the table.
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

from handlers.common import cold_start
from handlers.common.http_routes import browser_cors, caller, error
from handlers.report_history.logic import HistoryRequestError, history
from handlers.report_history.settings import get_settings

if TYPE_CHECKING:
    from handlers.report_history.logic import ReportReader

logger = Logger()
metrics = Metrics()


@cache
def api() -> APIGatewayHttpResolver:
    """The resolver, built on first use: its CORS settings come from the environment."""
    resolver = APIGatewayHttpResolver(cors=browser_cors(get_settings().origins))
    resolver.get("/reports")(list_reports)
    return resolver


@cache
def reader() -> ReportReader:
    """The table reader, created on the first request and reused while warm."""
    import boto3  # noqa: PLC0415 - off the import path: cold starts stay short

    from handlers.report_history.dal import DynamoDBReportReader  # noqa: PLC0415

    return DynamoDBReportReader(get_settings().reports_table_name, boto3.client("dynamodb"))


def list_reports() -> Response[Any]:
    event = api().current_event
    user_id = caller(api())
    if user_id is None:
        # Only a route without the authoriser gets here without a subject: refuse it.
        logger.error("no token subject: is the route's JWT authoriser missing?")
        metrics.add_metric(name="HistoryRequestsRefused", unit=MetricUnit.Count, value=1)
        return error(401, "Unauthorized")
    query = event.query_string_parameters or {}
    try:
        page = history(
            reader(),
            user_id,
            limit=query.get("limit"),
            cursor=query.get("cursor"),
            questionnaire_id=query.get("questionnaire"),
            default_limit=get_settings().default_page_size,
        )
    except HistoryRequestError as exc:
        logger.warning("history request refused", extra={"reason": str(exc)})
        metrics.add_metric(name="HistoryRequestsRefused", unit=MetricUnit.Count, value=1)
        return error(400, str(exc))
    metrics.add_metric(name="HistoryPagesServed", unit=MetricUnit.Count, value=1)
    return Response(status_code=200, content_type="application/json", body=page)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return api().resolve(event, context)


cold_start.imported()  # last: the module is imported (handlers.common.cold_start)
