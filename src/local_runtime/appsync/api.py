"""The AppSync Event API on one HTTPS + WSS port: ``POST /event`` and ``/event/realtime``.

Follows AWS's pages "Understanding the Event API WebSocket protocol", "Publish events via
WebSocket" and "Publish events via HTTP", and, where they are silent, AWS's own clients
(``aws-amplify/aws-appsync-events-swift``: message and result shapes; Amplify JS: the
subprotocols and auth headers it sends):

- connect: subprotocols ``aws-appsync-event-ws`` and ``header-<base64url JSON of the auth
  headers>``, checked against the API's connection auth modes; then ``connection_init`` ->
  ``connection_ack`` with ``connectionTimeoutMs``, and ``ka`` at a steady interval;
- ``subscribe`` -> ``subscribe_success`` | ``subscribe_error``; ``unsubscribe`` ->
  ``unsubscribe_success`` | ``unsubscribe_error``; events arrive as ``data`` with the event
  as a JSON string (``broadcast_error`` when a handler made it larger than the limit);
  ``publish`` -> ``publish_success`` (``successful`` and ``failed``, each with
  ``identifier`` and ``index``) | ``publish_error``; ``error`` for a message that is not
  JSON or has an unknown type; unknown extra keys are ignored;
- limits: 5 events per publish, 240 KB per event, channel paths of 1-5 segments of letters,
  digits and hyphens (up to 50 each; a subscription may end in ``/*``), 100 subscriptions
  per connection, an id used once per connection;
- auth per operation, against the namespace's modes (the API's defaults when it sets none):
  API key (and its expiry), IAM (SigV4, service ``appsync``, verified with botocore against
  the local credentials), Cognito user pools (JWTs of the plan's pool), Lambda authorizer
  (the configured function, its ``isAuthorized``, ``handlerContext`` and ``ttlOverride``);
  a refusal is ``UnauthorizedException``;
- DIRECT handlers: the namespace's function is invoked with the request AppSync sends
  (``identity``, ``info.channel``, ``info.channelNamespace``, ``info.operation``,
  ``events``, ``request.headers``); ``REQUEST_RESPONSE`` answers apply per item (an item with
  ``error`` fails and is not broadcast; the returned payloads are what subscribers get), a
  subscribe handler's ``error`` refuses the subscription; ``EVENT`` invocations are
  asynchronous and change nothing; a handler that fails, times out or crashes fails the
  operation.

Local choices where AWS documents nothing: IAM signatures are checked over the body as a
client serialises it (compact JSON, as Amplify and the Swift client send it, or Python's
``json.dumps`` default); a failed item is ``{"identifier", "index", "code", "message"}``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from aiohttp import WSMsgType, web

from local_runtime.aws.sigv4 import verify_sigv4
from local_runtime.cognito.tokens import JwtVerifier, TokenError
from local_runtime.console import Console
from local_runtime.faults import Faults
from local_runtime.functions.registry import Functions
from local_runtime.plan.eventapi import (
    API_KEY,
    AWS_IAM,
    COGNITO,
    LAMBDA,
    EventApiSpec,
    HandlerSpec,
    NamespaceSpec,
)

PROTOCOL = "aws-appsync-event-ws"
CONNECTION_TIMEOUT_MS = 300_000
MAX_EVENTS = 5
MAX_EVENT_BYTES = 240 * 1024
MAX_SUBSCRIPTIONS = 100
_SEGMENT = re.compile(r"^[A-Za-z0-9-]{1,50}$")
UNAUTHORIZED = "You are not authorized to make this call."

Invoke = Callable[[str, Any, str], Awaitable[Any]]


class OperationError(Exception):
    """An operation refused with AWS's error type and message."""

    def __init__(self, error_type: str, message: str) -> None:
        self.error_type = error_type
        self.message = message
        super().__init__(f"{error_type}: {message}")

    def errors(self) -> list[dict[str, str]]:
        return [{"errorType": self.error_type, "message": self.message}]


@dataclass
class Caller:
    mode: str
    identity: dict[str, Any] | None
    headers: dict[str, str]


@dataclass
class Subscription:
    id: str
    channel: str
    socket: web.WebSocketResponse
    connection: Connection


@dataclass(eq=False)
class Connection:
    socket: web.WebSocketResponse
    source_ip: str
    transport: asyncio.BaseTransport | None = None
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    used_ids: set[str] = field(default_factory=set)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, message: dict[str, Any]) -> None:
        async with self.lock:
            if not self.socket.closed:
                await self.socket.send_str(json.dumps(message))


def channel_problem(channel: Any, wildcard: bool) -> str | None:
    """Why ``channel`` is not a channel path AppSync accepts, or None."""
    if not isinstance(channel, str) or not channel.startswith("/"):
        return "Invalid Channel Format"
    segments = channel[1:].split("/")
    if not 1 <= len(segments) <= 5:
        return "Invalid Channel Format"
    for n, segment in enumerate(segments):
        last = n == len(segments) - 1
        if segment == "*" and wildcard and last and n > 0:
            continue
        if not _SEGMENT.match(segment):
            return "Invalid Channel Format"
    return None


def matches(subscription: str, channel: str) -> bool:
    """A subscription path matches a publish path exactly, or by a trailing ``/*``."""
    if subscription.endswith("/*"):
        return channel.startswith(subscription[:-1])
    return subscription == channel


def _decode_header(protocol: str) -> dict[str, str]:
    encoded = protocol.removeprefix("header-")
    raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    decoded = json.loads(raw)
    if not isinstance(decoded, dict):
        raise TypeError("the auth header is not a JSON object")
    return {str(k): str(v) for k, v in decoded.items()}


class EventApi:
    def __init__(
        self,
        spec: EventApiSpec,
        *,
        host: str,
        api_key: str,
        secrets: dict[str, str],
        principals: dict[str, str],
        verifier: Callable[[str], JwtVerifier] | None,
        functions: Functions,
        console: Console,
        ka_interval: float = 60.0,
        region: str = "eu-west-1",
        account_id: str = "123456789012",
        faults: Faults | None = None,
    ) -> None:
        self.spec = spec
        self.faults = faults
        self.host = host
        self.api_key = api_key
        self.secrets = secrets
        self.principals = principals
        self.functions = functions
        self.console = console
        self.ka_interval = ka_interval
        self.region = region
        self.account_id = account_id
        self.connections: set[Connection] = set()
        self._authorizer_cache: dict[str, tuple[float, dict[str, Any] | None]] = {}
        self._verifier: JwtVerifier | None = None
        cognito = spec.providers.get(COGNITO)
        if cognito is not None:
            if verifier is None or not cognito.user_pool_id:
                raise ValueError("a Cognito auth mode needs a user pool of the plan")
            issuer = f"https://cognito-idp.{region}.amazonaws.com/{cognito.user_pool_id}"
            self._verifier = verifier(issuer)
        for namespace in spec.namespaces.values():
            for handler in (namespace.on_publish, namespace.on_subscribe):
                if handler is not None and handler.function not in functions:
                    raise ValueError(f"{namespace.name}: no function {handler.function}")
        lambda_provider = spec.providers.get(LAMBDA)
        if lambda_provider and lambda_provider.authorizer_function not in functions:
            raise ValueError(f"authorizer {lambda_provider.authorizer_function} is not planned")

    # --- auth ---------------------------------------------------------------------------

    async def authorize(
        self,
        modes: tuple[str, ...],
        headers: dict[str, str],
        bodies: list[str],
        source_ip: str,
        context: dict[str, Any],
    ) -> Caller:
        """The caller, if ``headers`` authorise this request by one of ``modes``."""
        lower = {k.lower(): v for k, v in headers.items()}
        token = lower.get("authorization", "")
        if "x-api-key" in lower and API_KEY in modes:
            expires = self.spec.api_key_expires
            if (
                self.spec.has_api_key
                and lower["x-api-key"] == self.api_key
                and (expires is None or time.time() < expires)
            ):
                return Caller(API_KEY, None, headers)
        elif token.startswith("AWS4-HMAC-SHA256 ") and AWS_IAM in modes:
            for body in bodies:
                key, _ = verify_sigv4(
                    "POST",
                    f"https://{lower.get('host', self.host)}/event",
                    lower,
                    body.encode(),
                    secrets=self.secrets,
                    service="appsync",
                )
                if key is not None:
                    return Caller(AWS_IAM, self._iam_identity(key, source_ip), headers)
        elif token:
            if COGNITO in modes and self._verifier is not None:
                with contextlib.suppress(TokenError):
                    claims = self._verifier.claims(token.removeprefix("Bearer "), ())
                    if self._client_allowed(claims):
                        return Caller(COGNITO, self._cognito_identity(claims, source_ip), headers)
            if LAMBDA in modes:
                identity = await self._lambda_authorize(token, headers, context)
                if identity is not None:
                    return Caller(LAMBDA, identity, headers)
        raise OperationError("UnauthorizedException", UNAUTHORIZED)

    def _client_allowed(self, claims: dict[str, Any]) -> bool:
        provider = self.spec.providers[COGNITO]
        if not provider.app_id_client_regex:
            return True
        client = claims.get("client_id") or claims.get("aud") or ""
        return re.fullmatch(provider.app_id_client_regex, str(client)) is not None

    def _iam_identity(self, key: str, source_ip: str) -> dict[str, Any]:
        # The shape of AppSync's IAM identity (resolver context reference).
        return {
            "accountId": self.account_id,
            "cognitoIdentityAuthProvider": None,
            "cognitoIdentityAuthType": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "sourceIp": [source_ip],
            "userArn": self.principals.get(key, f"arn:aws:iam::{self.account_id}:user/{key}"),
            "username": key,
        }

    @staticmethod
    def _cognito_identity(claims: dict[str, Any], source_ip: str) -> dict[str, Any]:
        return {
            "sub": claims.get("sub"),
            "issuer": claims.get("iss"),
            "username": claims.get("cognito:username") or claims.get("username"),
            "claims": claims,
            "sourceIp": [source_ip],
            "defaultAuthStrategy": "ALLOW",
            "groups": claims.get("cognito:groups"),
        }

    async def _lambda_authorize(
        self, token: str, headers: dict[str, str], context: dict[str, Any]
    ) -> dict[str, Any] | None:
        provider = self.spec.providers[LAMBDA]
        cached = self._authorizer_cache.get(token)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        request = {
            "authorizationToken": token,
            "requestContext": {
                "apiId": self.spec.name,
                "accountId": self.account_id,
                "requestId": str(uuid.uuid4()),
                **context,
            },
            "requestHeaders": headers,
        }
        result = await self.functions.invoke(str(provider.authorizer_function), request, "auth")
        answer = result.payload if result.ok and isinstance(result.payload, dict) else {}
        identity = (
            {"handlerContext": answer.get("handlerContext") or {}}
            if answer.get("isAuthorized") is True
            else None
        )
        ttl = int(answer.get("ttlOverride", provider.authorizer_ttl_seconds) or 0)
        if ttl > 0:
            self._authorizer_cache[token] = (time.monotonic() + ttl, identity)
        return identity

    # --- handlers -----------------------------------------------------------------------

    def _request(
        self, caller: Caller, channel: str, namespace: str, operation: str, events: Any
    ) -> dict[str, Any]:
        return {
            "identity": caller.identity,
            "result": None,
            "request": {"headers": caller.headers, "domainName": None},
            "info": {
                "channel": {"path": channel, "segments": channel[1:].split("/")},
                "channelNamespace": {"name": namespace},
                "operation": operation,
            },
            "error": None,
            "prev": None,
            "stash": {},
            "outErrors": [],
            "events": events,
        }

    async def _handle(self, handler: HandlerSpec, request: dict[str, Any], correlation: str) -> Any:
        if handler.invoke_type == "EVENT":
            self.functions.invoke_async(handler.function, request, correlation)
            return None
        result = await self.functions.invoke(handler.function, request, correlation)
        if not result.ok:
            raise OperationError(
                "HandlerError",
                f"the {handler.function} handler failed: {result.error_type}",
            )
        return result.payload

    # --- operations ---------------------------------------------------------------------

    def _namespace(self, channel: str) -> NamespaceSpec:
        namespace = self.spec.namespaces.get(channel[1:].split("/", 1)[0])
        if namespace is None:
            raise OperationError("NamespaceNotFound", f"no channel namespace for {channel}")
        return namespace

    async def subscribe(self, channel: Any, headers: dict[str, str], source_ip: str) -> None:
        problem = channel_problem(channel, wildcard=True)
        if problem:
            raise OperationError("BadRequestException", problem)
        namespace = self._namespace(channel)
        caller = await self.authorize(
            namespace.subscribe_modes,
            headers,
            [
                json.dumps({"channel": channel}, separators=(",", ":")),
                json.dumps({"channel": channel}),
            ],
            source_ip,
            {"channel": channel, "operation": "SUBSCRIBE"},
        )
        if namespace.on_subscribe is not None:
            answer = await self._handle(
                namespace.on_subscribe,
                self._request(caller, channel, namespace.name, "SUBSCRIBE", None),
                f"sub {channel}",
            )
            if isinstance(answer, dict) and answer.get("error"):
                raise OperationError("UnauthorizedException", str(answer["error"]))

    async def publish(
        self, channel: Any, events: Any, headers: dict[str, str], source_ip: str
    ) -> dict[str, Any]:
        """Authorise, run the handler, broadcast; the ``successful``/``failed`` answer."""
        problem = channel_problem(channel, wildcard=False)
        if problem:
            raise OperationError("BadRequestException", problem)
        if not isinstance(events, list) or not 1 <= len(events) <= MAX_EVENTS:
            raise OperationError(
                "BadRequestException", f"a publish carries 1 to {MAX_EVENTS} events"
            )
        payloads = []
        for event in events:
            if not isinstance(event, str):
                raise OperationError("BadRequestException", "each event must be a JSON string")
            if len(event.encode()) > MAX_EVENT_BYTES:
                raise OperationError(
                    "BadRequestException", f"an event is larger than {MAX_EVENT_BYTES} bytes"
                )
            try:
                payloads.append(json.loads(event))
            except ValueError as exc:
                raise OperationError("BadRequestException", "an event is not valid JSON") from exc
        namespace = self._namespace(channel)
        bodies = [
            json.dumps({"channel": channel, "events": events}, separators=(",", ":")),
            json.dumps({"channel": channel, "events": events}),
        ]
        caller = await self.authorize(
            namespace.publish_modes,
            headers,
            bodies,
            source_ip,
            {"channel": channel, "operation": "PUBLISH"},
        )
        ids = [str(uuid.uuid4()) for _ in payloads]
        outgoing: dict[str, Any] = dict(zip(ids, payloads, strict=True))
        failed: dict[str, str] = {}
        if namespace.on_publish is not None:
            request = self._request(
                caller,
                channel,
                namespace.name,
                "PUBLISH",
                [{"id": i, "payload": p} for i, p in outgoing.items()],
            )
            try:
                answer = await self._handle(namespace.on_publish, request, f"pub {channel}")
            except OperationError as exc:
                failed = dict.fromkeys(ids, exc.message)
                outgoing = {}
            else:
                if namespace.on_publish.invoke_type != "EVENT":
                    outgoing, failed = self._apply(ids, answer)
        for payload in outgoing.values():
            await self.broadcast(channel, payload)
        self.console.hop(
            "events",
            f"publish {channel}: {len(outgoing)} delivered, {len(failed)} failed ({caller.mode})",
            payload=failed or None,
        )
        return {
            "successful": [
                {"identifier": i, "index": n} for n, i in enumerate(ids) if i in outgoing
            ],
            "failed": [
                {"identifier": i, "index": n, "code": "HandlerError", "message": failed[i]}
                for n, i in enumerate(ids)
                if i in failed
            ],
        }

    @staticmethod
    def _apply(ids: list[str], answer: Any) -> tuple[dict[str, Any], dict[str, str]]:
        """What a REQUEST_RESPONSE answer delivers and fails: returned items with a payload
        are broadcast, items with ``error`` fail, items not returned are dropped."""
        if isinstance(answer, dict) and answer.get("error"):
            return {}, dict.fromkeys(ids, str(answer["error"]))
        items = answer.get("events") if isinstance(answer, dict) else None
        outgoing: dict[str, Any] = {}
        failed: dict[str, str] = {}
        for item in items or []:
            if not isinstance(item, dict) or item.get("id") not in ids:
                continue
            if "error" in item:
                failed[item["id"]] = str(item["error"])
            else:
                outgoing[item["id"]] = item.get("payload")
        return outgoing, failed

    async def broadcast(self, channel: str, payload: Any) -> int:
        """Send ``payload`` to every subscription matching ``channel``; how many got it. An
        event a handler made larger than AWS's limit cannot be broadcast: its subscribers get
        ``broadcast_error`` instead."""
        event = json.dumps(payload)
        too_big = len(event.encode()) > MAX_EVENT_BYTES
        sent = 0
        for connection in list(self.connections):
            for subscription in list(connection.subscriptions.values()):
                if not matches(subscription.channel, channel):
                    continue
                message: dict[str, Any] = (
                    {
                        "type": "broadcast_error",
                        "id": subscription.id,
                        "errors": [
                            {
                                "errorType": "BroadcastError",
                                "message": f"the event is larger than {MAX_EVENT_BYTES} bytes",
                            }
                        ],
                    }
                    if too_big
                    else {"type": "data", "id": subscription.id, "event": event}
                )
                with contextlib.suppress(ConnectionError, RuntimeError):
                    await connection.send(message)
                    sent += 0 if too_big else 1
        return sent

    # --- HTTP ---------------------------------------------------------------------------

    async def http_publish(self, request: web.Request) -> web.Response:
        source_ip = request.remote or "127.0.0.1"
        if self.faults is not None and self.faults.hit("event_api_5xx"):
            await request.read()
            return _errors(500, "InternalFailureException", "injected fault: try again")
        try:
            body = await request.json()
        except ValueError:
            return _errors(400, "BadRequestException", "the body is not JSON")
        if not isinstance(body, dict):
            return _errors(400, "BadRequestException", "the body must be a JSON object")
        try:
            answer = await self.publish(
                body.get("channel"), body.get("events"), dict(request.headers), source_ip
            )
        except OperationError as exc:
            status = 401 if exc.error_type == "UnauthorizedException" else 400
            return _errors(status, exc.error_type, exc.message)
        return web.json_response(answer)

    # --- WebSocket ----------------------------------------------------------------------

    def drop_connections(self) -> int:
        """Cut every WebSocket connection without a close frame, as a network failure or a
        lost server would (fault injection); the number cut. Clients must reconnect and
        subscribe again."""
        dropped = 0
        for connection in list(self.connections):
            if connection.transport is not None:
                connection.transport.abort()  # type: ignore[attr-defined]
                dropped += 1
        self.console.hop("fault", f"Event API: {dropped} connection(s) dropped", tone="warn")
        return dropped

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        offered = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")]
        socket = web.WebSocketResponse(protocols=(PROTOCOL,), heartbeat=None)
        await socket.prepare(request)
        connection = Connection(socket, request.remote or "127.0.0.1", request.transport)
        if PROTOCOL not in offered:
            return await self._refuse(
                connection, "UnsupportedOperation", f"offer the {PROTOCOL} subprotocol"
            )
        try:
            header = next(p for p in offered if p.startswith("header-"))
            auth = _decode_header(header)
            await self.authorize(
                self.spec.connection_modes,
                auth,
                ["{}"],
                connection.source_ip,
                {"operation": "CONNECT"},
            )
        except (StopIteration, ValueError, TypeError):
            return await self._refuse(connection, "UnauthorizedException", UNAUTHORIZED)
        except OperationError as exc:
            return await self._refuse(connection, exc.error_type, exc.message)
        self.connections.add(connection)
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
            self.connections.discard(connection)
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
        try:
            message = json.loads(data)
        except ValueError:
            message = None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await connection.send(
                {
                    "type": "error",
                    "errors": [
                        {"errorType": "MalformedJSON", "message": "not a JSON message with a type"}
                    ],
                }
            )
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
                        {"errorType": "UnsupportedOperation", "message": f"unknown type {kind!r}"}
                    ],
                }
            )
            return
        await handler(connection, message)

    async def _on_subscribe(self, connection: Connection, message: dict[str, Any]) -> None:
        sub_id, channel = message.get("id"), message.get("channel")
        try:
            _check_subscribe(connection, sub_id)
            await self.subscribe(channel, _auth_headers(message), connection.source_ip)
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
                        {"errorType": "UnknownOperationError", "message": "Unknown subscription id"}
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
                _refuse("BadRequestException", "a publish needs an id")
            answer = await self.publish(
                message.get("channel"),
                message.get("events"),
                _auth_headers(message),
                connection.source_ip,
            )
        except OperationError as exc:
            await connection.send({"type": "publish_error", "id": pub_id, "errors": exc.errors()})
            return
        await connection.send({"type": "publish_success", "id": pub_id, **answer})

    def app(self) -> web.Application:
        app = web.Application(client_max_size=2 * 1024 * 1024, middlewares=[_cors])
        app.router.add_post("/event", self.http_publish)
        app.router.add_route("OPTIONS", "/event", _preflight)
        app.router.add_get("/event/realtime", self.websocket)
        return app


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


def _refuse(error_type: str, message: str) -> NoReturn:
    raise OperationError(error_type, message)


def _check_subscribe(connection: Connection, sub_id: Any) -> None:
    """The connection-level checks of a subscribe: an id, used once, under the limit."""
    if not isinstance(sub_id, str) or not sub_id:
        _refuse("BadRequestException", "a subscribe needs an id")
    if sub_id in connection.used_ids:
        _refuse("DuplicatedOperationError", f"id {sub_id} is already used")
    if len(connection.subscriptions) >= MAX_SUBSCRIPTIONS:
        _refuse(
            "MaxSubscriptionsReachedError",
            f"at most {MAX_SUBSCRIPTIONS} subscriptions per connection",
        )


def _auth_headers(message: dict[str, Any]) -> dict[str, str]:
    authorization = message.get("authorization")
    if not isinstance(authorization, dict):
        return {}
    return {str(k): str(v) for k, v in authorization.items()}


def _errors(status: int, error_type: str, message: str) -> web.Response:
    return web.json_response(
        {"errors": [{"errorType": error_type, "message": message}]}, status=status
    )
