"""The Event API's WebSocket protocol on ``/event/realtime`` (AWS's "Understanding the Event API
WebSocket protocol"): subprotocols ``aws-appsync-event-ws`` and ``header-<base64url JSON of the
auth headers>``, checked against the API's connection auth modes; ``connection_init`` ->
``connection_ack`` with ``connectionTimeoutMs``, then ``ka`` at a steady interval;
``subscribe`` -> ``subscribe_success`` | ``subscribe_error``; ``unsubscribe`` ->
``unsubscribe_success`` | ``unsubscribe_error``; ``publish`` -> ``publish_success`` |
``publish_error``; ``error`` for a message that is not JSON or has an unknown type; unknown
extra keys are ignored."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import WSMsgType, web

from local_runtime import strict_json
from local_runtime.appsync.api import EventApi
from local_runtime.appsync.auth import decode_header
from local_runtime.appsync.channels import MAX_EVENT_DEPTH, MAX_MESSAGE_BYTES
from local_runtime.appsync.connection import MAX_SUBSCRIPTIONS, Connection, Subscription
from local_runtime.appsync.errors import (
    BAD_REQUEST,
    DUPLICATED_OPERATION,
    MAX_SUBSCRIPTIONS_REACHED,
    UNAUTHORIZED,
    UNAUTHORIZED_EXCEPTION,
    UNKNOWN_OPERATION,
    UNSUPPORTED_OPERATION,
    OperationError,
    refuse,
)
from local_runtime.console import Console

PROTOCOL = "aws-appsync-event-ws"
CONNECTION_TIMEOUT_MS = 300_000


class Realtime:
    """The WebSocket side of the Event API: connections, their subscriptions and messages."""

    def __init__(self, api: EventApi, console: Console, ka_interval: float) -> None:
        self.api = api
        self.console = console
        self.ka_interval = ka_interval

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        offered = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")]
        # Frames up to four times the message limit are read, so that an oversized message
        # gets an error and the connection stays; larger ones close it with 1009 (RFC 6455,
        # "message too big"), as aiohttp does.
        socket = web.WebSocketResponse(
            protocols=(PROTOCOL,), heartbeat=None, max_msg_size=4 * MAX_MESSAGE_BYTES
        )
        await socket.prepare(request)
        connection = Connection(socket, request.remote or "127.0.0.1", request.transport)
        if PROTOCOL not in offered:
            return await self._refuse(
                connection, UNSUPPORTED_OPERATION, f"offer the {PROTOCOL} subprotocol"
            )
        try:
            header = next(p for p in offered if p.startswith("header-"))
            auth = decode_header(header)
            await self.api.authorizer.authorize(
                self.api.spec.connection_modes,
                auth,
                ["{}"],
                connection.source_ip,
                {"operation": "CONNECT"},
            )
        except (StopIteration, ValueError, TypeError):
            return await self._refuse(connection, UNAUTHORIZED_EXCEPTION, UNAUTHORIZED)
        except OperationError as exc:
            return await self._refuse(connection, exc.error_type, exc.message)
        self.api.connections.add(connection)
        self.console.hop("events", f"connection from {connection.source_ip}")
        keepalive: asyncio.Task[None] | None = None
        try:
            async for message in socket:
                if message.type != WSMsgType.TEXT:
                    continue
                if keepalive is None:
                    keepalive = asyncio.ensure_future(self._keepalive(connection))
                await self._on_message(connection, message.data)
        finally:
            if keepalive is not None:
                keepalive.cancel()
            self.api.connections.discard(connection)
        return socket

    async def _refuse(
        self, connection: Connection, error_type: str, message: str
    ) -> web.StreamResponse:
        await connection.send(
            {"type": "connection_error", "errors": [{"errorType": error_type, "message": message}]}
        )
        self.console.hop("events", f"connection refused: {error_type}: {message}", tone="warn")
        await connection.socket.close()
        return connection.socket

    async def _keepalive(self, connection: Connection) -> None:
        while not connection.socket.closed:
            await asyncio.sleep(self.ka_interval)
            await connection.send({"type": "ka"})

    async def _on_message(self, connection: Connection, data: str) -> None:
        size = len(data.encode())
        try:
            if size > MAX_MESSAGE_BYTES:
                refuse(BAD_REQUEST, f"the message is {size} bytes; at most {MAX_MESSAGE_BYTES}")
            try:
                message = strict_json.loads(data, max_depth=MAX_EVENT_DEPTH)
            except strict_json.JsonRefusedError as exc:
                refuse(BAD_REQUEST, f"the message is not JSON: {exc}")
            if not isinstance(message, dict) or not isinstance(message.get("type"), str):
                refuse(BAD_REQUEST, "a message is a JSON object with a type")
        except OperationError as exc:
            await connection.send({"type": "error", "errors": exc.errors()})
            self.console.hop("events", f"message refused: {exc}", tone="warn")
            return
        kind = message["type"]
        if kind == "connection_init":
            await connection.send(
                {"type": "connection_ack", "connectionTimeoutMs": CONNECTION_TIMEOUT_MS}
            )
            return
        handler = {
            "subscribe": self._on_subscribe,
            "unsubscribe": self._on_unsubscribe,
            "publish": self._on_publish,
        }.get(kind)
        if handler is None:
            await connection.send(
                {
                    "type": "error",
                    "id": message.get("id"),
                    "errors": [
                        {"errorType": UNSUPPORTED_OPERATION, "message": f"unknown type {kind!r}"}
                    ],
                }
            )
            return
        await handler(connection, message)

    async def _on_subscribe(self, connection: Connection, message: dict[str, Any]) -> None:
        sub_id, channel = message.get("id"), message.get("channel")
        try:
            _check_subscribe(connection, sub_id)
            await self.api.subscribe(channel, _auth_headers(message), connection.source_ip)
        except OperationError as exc:
            await connection.send({"type": "subscribe_error", "id": sub_id, "errors": exc.errors()})
            self.console.hop("events", f"subscribe {channel} refused: {exc}", tone="warn")
            return
        key = str(sub_id)
        connection.used_ids.add(key)
        connection.subscriptions[key] = Subscription(
            key, str(channel), connection.socket, connection
        )
        await connection.send({"type": "subscribe_success", "id": key})
        self.console.hop("events", f"subscribe {channel}")

    async def _on_unsubscribe(self, connection: Connection, message: dict[str, Any]) -> None:
        sub_id = message.get("id")
        if sub_id not in connection.subscriptions:
            await connection.send(
                {
                    "type": "unsubscribe_error",
                    "id": sub_id,
                    "errors": [
                        {
                            "errorType": UNKNOWN_OPERATION,
                            "message": f"Unknown operation id {sub_id}",
                        }
                    ],
                }
            )
            return
        del connection.subscriptions[sub_id]
        await connection.send({"type": "unsubscribe_success", "id": sub_id})

    async def _on_publish(self, connection: Connection, message: dict[str, Any]) -> None:
        pub_id = message.get("id")
        try:
            if not isinstance(pub_id, str) or not pub_id:
                refuse(BAD_REQUEST, "a publish needs an id")
            answer = await self.api.publish(
                message.get("channel"),
                message.get("events"),
                _auth_headers(message),
                connection.source_ip,
            )
        except OperationError as exc:
            await connection.send({"type": "publish_error", "id": pub_id, "errors": exc.errors()})
            return
        await connection.send({"type": "publish_success", "id": pub_id, **answer})


def _check_subscribe(connection: Connection, sub_id: Any) -> None:
    """The connection-level checks of a subscribe: an id, used once, under the limit."""
    if not isinstance(sub_id, str) or not sub_id:
        refuse(BAD_REQUEST, "a subscribe needs an id")
    if sub_id in connection.used_ids:
        refuse(DUPLICATED_OPERATION, f"id {sub_id} is already used")
    if len(connection.subscriptions) >= MAX_SUBSCRIPTIONS:
        refuse(
            MAX_SUBSCRIPTIONS_REACHED,
            f"at most {MAX_SUBSCRIPTIONS} subscriptions per connection",
        )


def _auth_headers(message: dict[str, Any]) -> dict[str, str]:
    authorization = message.get("authorization")
    if not isinstance(authorization, dict):
        return {}
    return {str(k): str(v) for k, v in authorization.items()}
