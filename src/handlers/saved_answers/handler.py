"""Lambda entry point: ``GET /answers?questionnaire=<id>`` on the HTTP API -> the caller's
saved answers to that questionnaire.

Authorised like ``GET /reports``: the HTTP API's JWT authoriser (the platform's Cognito user
pool) checks the token, and the caller is its ``sub``, never a request parameter. CORS is
answered here for the origins in ``ALLOWED_ORIGINS`` (the preflight route has no authoriser).
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
from handlers.saved_answers.logic import AnswersRequestError, saved_answers
from handlers.saved_answers.settings import get_settings

if TYPE_CHECKING:
    from handlers.saved_answers.logic import AnswerReader

logger = Logger()
metrics = Metrics()


@cache
def api() -> APIGatewayHttpResolver:
    """The resolver, built on first use: its CORS settings come from the environment."""
    resolver = APIGatewayHttpResolver(cors=browser_cors(get_settings().origins))
    resolver.get("/answers")(list_answers)
    return resolver


@cache
def reader() -> AnswerReader:
    """The table reader, created on the first request and reused while warm."""
    import boto3  # noqa: PLC0415 - off the import path: cold starts stay short

    from handlers.saved_answers.dal import DynamoDBAnswerReader  # noqa: PLC0415

    return DynamoDBAnswerReader(get_settings().answers_table_name, boto3.client("dynamodb"))


def list_answers() -> Response[Any]:
    event = api().current_event
    user_id = caller(api())
    if user_id is None:
        # Only a route without the authoriser gets here without a subject: refuse it.
        logger.error("no token subject: is the route's JWT authoriser missing?")
        metrics.add_metric(name="AnswersRequestsRefused", unit=MetricUnit.Count, value=1)
        return error(401, "Unauthorized")
    query = event.query_string_parameters or {}
    try:
        body = saved_answers(reader(), user_id, query.get("questionnaire"))
    except AnswersRequestError as exc:
        logger.warning("answers request refused", extra={"reason": str(exc)})
        metrics.add_metric(name="AnswersRequestsRefused", unit=MetricUnit.Count, value=1)
        return error(400, str(exc))
    metrics.add_metric(name="SavedAnswersServed", unit=MetricUnit.Count, value=1)
    return Response(status_code=200, content_type="application/json", body=body)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return api().resolve(event, context)


cold_start.imported()  # last: the module is imported (handlers.common.cold_start)
