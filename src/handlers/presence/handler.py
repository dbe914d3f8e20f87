"""Lambda entry point: ``GET`` and ``POST /presence/{proxy+}`` on the HTTP API.

``GET /presence/<namespace>/<segments...>``: the members present now, their data and the
occupancy. ``POST`` with ``{"action": "enter" | "update" | "heartbeat" | "leave", "data":
{...}}``: what the caller does. Authorised as a subscription to the channel is (``access``):
the caller is the token's ``sub`` and ``iss`` judged by the channel handler's identity rules,
never a request parameter. Answers: 200 with what was done and announced, 400 a malformed
request or data (naming the field), 403 a channel the caller may not use, 404 no presence
there, 409 a heartbeat or update of a member that is not present (enter again), 503 a write
that kept losing races (send again).
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler.api_gateway import (
    APIGatewayHttpResolver,
    Response,
)
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.typing import LambdaContext

from handlers.channels.identity import Caller, caller_from_identity
from handlers.common import cold_start
from handlers.common.http_routes import browser_cors, error
from handlers.presence.access import (
    NoPresenceError,
    PresenceRefusedError,
    PresenceRequestError,
    announce_channel,
    parse_request,
    presence_channel,
    require_member,
    require_reader,
)
from handlers.presence.logic import ContendedError, NotPresentError, Presence, PresenceError
from handlers.presence.settings import get_settings

if TYPE_CHECKING:
    from handlers.presence.logic import MemberStore

logger = Logger()
metrics = Metrics()

PREFIX = "/presence/"
# The most specific first: NotPresentError is a PresenceError.
_STATUS: dict[type[Exception], int] = {
    NotPresentError: 409,
    PresenceRequestError: 400,
    PresenceError: 400,
    PresenceRefusedError: 403,
    NoPresenceError: 404,
    ContendedError: 503,
}


@cache
def api() -> APIGatewayHttpResolver:
    """The resolver, built on first use: its CORS settings come from the environment."""
    resolver = APIGatewayHttpResolver(
        cors=browser_cors(get_settings().origins, ("Authorization", "Content-Type"))
    )
    route = PREFIX.rstrip("/") + "/.+"
    resolver.get(route)(read_presence)
    resolver.post(route)(change_presence)
    return resolver


@cache
def store() -> MemberStore:
    """The members table, created on the first request and reused while warm."""
    from handlers.common import clients  # noqa: PLC0415 - boto3 off the import path
    from handlers.presence.dal import DynamoDBMemberStore  # noqa: PLC0415

    return DynamoDBMemberStore(get_settings().presence_table_name, clients.dynamodb())


def _caller() -> Caller | None:
    claims = api().current_event.request_context.authorizer.jwt_claim or {}
    if not isinstance(claims.get("sub"), str):
        # Only a route without the authoriser gets here without a subject: refuse it.
        logger.error("no token subject: is the route's JWT authoriser missing?")
        metrics.add_metric(name="PresenceRequestsRefused", unit=MetricUnit.Count, value=1)
        return None
    return caller_from_identity(
        {"sub": claims["sub"], "issuer": claims.get("iss")}, get_settings().identity_rules
    )


def _refused(exc: Exception) -> Response[dict[str, str]]:
    status = next(s for kind, s in _STATUS.items() if isinstance(exc, kind))
    logger.warning("presence request refused", extra={"reason": str(exc), "status": status})
    metrics.add_metric(name="PresenceRequestsRefused", unit=MetricUnit.Count, value=1)
    return error(status, str(exc))


def _presence(namespace: str) -> Presence:
    return Presence(store(), get_settings().heartbeats[namespace])


def _occupancy(channel: str, members: int) -> None:
    """The channel's member count, as a metric with the channel as its dimension, after each
    enter and leave (a member that expires is counted out by the next change)."""
    with single_metric(
        name="Occupancy", unit=MetricUnit.Count, value=members, namespace=metrics.namespace
    ) as metric:
        metric.add_dimension(name="Channel", value=channel)


def read_presence() -> Response[Any]:
    caller = _caller()
    if caller is None:
        return error(401, "Unauthorized")
    settings = get_settings()
    try:
        channel = presence_channel(
            api().current_event.raw_path.removeprefix(PREFIX), frozenset(settings.heartbeats)
        )
        require_reader(caller, channel)
    except (PresenceRequestError, PresenceRefusedError, NoPresenceError) as exc:
        return _refused(exc)
    presence = _presence(channel.namespace)
    members = presence.members(channel.path)
    metrics.add_metric(name="PresenceReads", unit=MetricUnit.Count, value=1)
    body = {
        "channel": channel.path,
        "presenceChannel": announce_channel(channel),
        "heartbeatSeconds": presence.heartbeat_seconds,
        "occupancy": len(members),
        "members": [
            {"id": m.member_id, "data": m.data, "enteredAt": m.entered_at} for m in members
        ],
    }
    return Response(status_code=200, content_type="application/json", body=body)


def change_presence() -> Response[Any]:
    caller = _caller()
    if caller is None:
        return error(401, "Unauthorized")
    event = api().current_event
    settings = get_settings()
    try:
        channel = presence_channel(
            event.raw_path.removeprefix(PREFIX), frozenset(settings.heartbeats)
        )
        member_id = require_member(caller, channel)
        try:
            body = json.loads(event.decoded_body or "null")
        except ValueError as exc:
            raise PresenceRequestError(f"the body is not JSON: {exc}") from exc
        request = parse_request(body)
        presence = _presence(channel.namespace)
        if request.action == "enter":
            announced = presence.enter(channel.path, member_id, request.data)
        elif request.action == "update":
            announced = presence.update(channel.path, member_id, request.data)
        elif request.action == "heartbeat":
            presence.heartbeat(channel.path, member_id)
            announced = None
        else:
            announced = presence.leave(channel.path, member_id)
    except (
        PresenceRequestError,
        PresenceError,
        PresenceRefusedError,
        NoPresenceError,
        ContendedError,
    ) as exc:
        return _refused(exc)
    metrics.add_metric(name=f"Presence{request.action.title()}s", unit=MetricUnit.Count, value=1)
    if announced is not None and announced.action != "update":
        _occupancy(channel.path, presence.occupancy(channel.path))
    logger.append_keys(channel=channel.path, user_id=member_id)
    body_out = {
        "channel": channel.path,
        "member": member_id,
        "action": request.action,
        "announced": announced.action if announced is not None else None,
        "heartbeatSeconds": presence.heartbeat_seconds,
    }
    return Response(status_code=200, content_type="application/json", body=body_out)


@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True
)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return api().resolve(event, context)


cold_start.imported()  # last: the module is imported (handlers.common.cold_start)
