"""The Event API over HTTP (AWS's "Publish events via HTTP"): ``POST /event`` with
``{"channel", "events"}`` answers ``{"successful", "failed"}`` with HTTP 200 either way; a
refused request answers its status and ``{"errors": [{errorType, message}]}``; and CORS for
browsers, as AppSync answers it (any origin: authorisation is the request's own header)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from local_runtime import strict_json
from local_runtime.appsync.api import EventApi
from local_runtime.appsync.channels import MAX_EVENT_DEPTH, MAX_MESSAGE_BYTES
from local_runtime.appsync.errors import (
    BAD_REQUEST,
    UNAUTHORIZED_EXCEPTION,
    OperationError,
    error_response,
)
from local_runtime.appsync.protocol import Realtime


async def http_publish(api: EventApi, request: web.Request) -> web.Response:
    source_ip = request.remote or "127.0.0.1"
    if api.faults is not None and api.faults.hit("event_api_5xx"):
        await request.read()
        return error_response(500, "InternalFailureException", "injected fault: try again")
    raw = await request.read()
    if len(raw) > MAX_MESSAGE_BYTES:
        return error_response(400, BAD_REQUEST, f"the body is larger than {MAX_MESSAGE_BYTES}")
    try:
        body = strict_json.loads(raw, max_depth=MAX_EVENT_DEPTH)
    except strict_json.JsonRefusedError as exc:
        return error_response(400, BAD_REQUEST, f"the body is not JSON: {exc}")
    if not isinstance(body, dict):
        return error_response(400, BAD_REQUEST, "the body must be a JSON object")
    try:
        answer = await api.publish(
            body.get("channel"), body.get("events"), dict(request.headers), source_ip
        )
    except OperationError as exc:
        status = 401 if exc.error_type == UNAUTHORIZED_EXCEPTION else 400
        return error_response(status, exc.error_type, exc.message)
    return web.json_response(answer)


# Browsers publish over HTTP from the web app's origin. AppSync answers CORS for any origin
# (authorisation is the request's own header, never a cookie), so the local API does too.
_CORS_HEADERS = {
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Max-Age": "600",
}


async def _preflight(request: web.Request) -> web.Response:
    asked = request.headers.get("Access-Control-Request-Headers", "")
    return web.Response(
        status=200,
        headers={**_CORS_HEADERS, "Access-Control-Allow-Headers": asked or "*"},
    )


@web.middleware
async def _cors(request: web.Request, handler: Any) -> web.StreamResponse:
    response: web.StreamResponse = await handler(request)
    if request.headers.get("Origin") and not isinstance(response, web.WebSocketResponse):
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def event_api_app(api: EventApi, realtime: Realtime) -> web.Application:
    """``POST /event``, its CORS preflight, and ``/event/realtime``."""
    app = web.Application(client_max_size=2 * MAX_MESSAGE_BYTES, middlewares=[_cors])

    async def publish(request: web.Request) -> web.Response:
        return await http_publish(api, request)

    app.router.add_post("/event", publish)
    app.router.add_route("OPTIONS", "/event", _preflight)
    app.router.add_get("/event/realtime", realtime.websocket)
    return app
