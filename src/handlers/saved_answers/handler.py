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
    CORSConfig,
    Response,
)
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.saved_answers.logic import AnswersRequestError, saved_answers
from handlers.saved_answers.settings import get_settings

if TYPE_CHECKING:
    from handlers.saved_answers.logic import AnswerReader

logger = Logger()
metrics = Metrics()


def _cors() -> CORSConfig | None:
    origins = get_settings().origins
    if not origins:
        return None
    return CORSConfig(
        allow_origin=origins[0],
        extra_origins=origins[1:],
        allow_headers=["Authorization"],
        max_age=600,
        allow_credentials=False,
    )


@cache
def api() -> APIGatewayHttpResolver:
    """The resolver, built on first use: its CORS settings come from the environment."""
    resolver = APIGatewayHttpResolver(cors=_cors())
    resolver.get("/answers")(list_answers)
    return resolver


@cache
def reader() -> AnswerReader:
    """The table reader, created on the first request and reused while warm."""
    import boto3  # noqa: PLC0415 - off the import path: cold starts stay short

    from handlers.saved_answers.dal import DynamoDBAnswerReader  # noqa: PLC0415

    return DynamoDBAnswerReader(get_settings().answers_table_name, boto3.client("dynamodb"))


def _error(status: int, message: str) -> Response[dict[str, str]]:
    return Response(status_code=status, content_type="application/json", body={"message": message})


def list_answers() -> Response[Any]:
    event = api().current_event
    claims = event.request_context.authorizer.jwt_claim or {}
    user_id = claims.get("sub")
    if not isinstance(user_id, str) or not user_id:
        # Only a route without the authoriser gets here without a subject: refuse it.
        logger.error("no token subject: is the route's JWT authoriser missing?")
        metrics.add_metric(name="AnswersRequestsRefused", unit=MetricUnit.Count, value=1)
        return _error(401, "Unauthorized")
    query = event.query_string_parameters or {}
    try:
        body = saved_answers(reader(), user_id, query.get("questionnaire"))
    except AnswersRequestError as exc:
        logger.warning("answers request refused", extra={"reason": str(exc)})
        metrics.add_metric(name="AnswersRequestsRefused", unit=MetricUnit.Count, value=1)
        return _error(400, str(exc))
    metrics.add_metric(name="SavedAnswersServed", unit=MetricUnit.Count, value=1)
    return Response(status_code=200, content_type="application/json", body=body)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return api().resolve(event, context)
