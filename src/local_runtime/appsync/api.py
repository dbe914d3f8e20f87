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
``json.dumps`` default); a failed item is ``{"identifier", "index", "errorCode",
"errorMessage"}`` (the Swift client's ``FailedEvent``) with ``errorCode`` 400, the code AWS
does not document; an event nesting deeper than 1000 levels is refused as not valid JSON.
The error types are in ``errors``.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any

from local_runtime import strict_json
from local_runtime.appsync.auth import Authorizer, Caller
from local_runtime.appsync.channels import (
    MAX_EVENT_BYTES,
    MAX_EVENT_DEPTH,
    MAX_EVENTS,
    channel_problem,
    matches,
)
from local_runtime.appsync.connection import Connection
from local_runtime.appsync.errors import (
    BAD_REQUEST,
    MESSAGE_PROCESSING,
    MESSAGE_PROCESSING_MESSAGE,
    SUBSCRIPTION_PROCESSING,
    SUBSCRIPTION_PROCESSING_MESSAGE,
    UNAUTHORIZED_EXCEPTION,
    OperationError,
)
from local_runtime.console import Console
from local_runtime.faults import Faults
from local_runtime.functions.registry import Functions
from local_runtime.plan.eventapi import EventApiSpec, HandlerSpec, NamespaceSpec


class EventApi:
    """The channels: subscribe, publish through the namespace's handlers, broadcast."""

    def __init__(
        self,
        spec: EventApiSpec,
        authorizer: Authorizer,
        functions: Functions,
        console: Console,
        faults: Faults,
    ) -> None:
        self.spec = spec
        self.authorizer = authorizer
        self.functions = functions
        self.console = console
        self.faults = faults
        self.connections: set[Connection] = set()
        for namespace in spec.namespaces.values():
            for handler in (namespace.on_publish, namespace.on_subscribe):
                if handler is not None and handler.function not in functions:
                    raise ValueError(f"{namespace.name}: no function {handler.function}")

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
                SUBSCRIPTION_PROCESSING,
                f"{SUBSCRIPTION_PROCESSING_MESSAGE}: the {handler.function} handler failed: "
                f"{result.error_type}",
            )
        return result.payload

    def _namespace(self, channel: str) -> NamespaceSpec:
        namespace = self.spec.namespaces.get(channel[1:].split("/", 1)[0])
        if namespace is None:
            raise OperationError(BAD_REQUEST, f"no channel namespace for {channel}")
        return namespace

    async def subscribe(self, channel: Any, headers: dict[str, str], source_ip: str) -> None:
        problem = channel_problem(channel, wildcard=True)
        if problem:
            raise OperationError(BAD_REQUEST, problem)
        namespace = self._namespace(channel)
        caller = await self.authorizer.authorize(
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
                raise OperationError(UNAUTHORIZED_EXCEPTION, str(answer["error"]))

    async def publish(
        self, channel: Any, events: Any, headers: dict[str, str], source_ip: str
    ) -> dict[str, Any]:
        """Authorise, run the handler, broadcast; the ``successful``/``failed`` answer."""
        problem = channel_problem(channel, wildcard=False)
        if problem:
            raise OperationError(BAD_REQUEST, problem)
        if not isinstance(events, list) or not 1 <= len(events) <= MAX_EVENTS:
            raise OperationError(BAD_REQUEST, f"a publish carries 1 to {MAX_EVENTS} events")
        payloads = []
        for event in events:
            if not isinstance(event, str):
                raise OperationError(BAD_REQUEST, "each event must be a JSON string")
            if len(event.encode()) > MAX_EVENT_BYTES:
                raise OperationError(
                    BAD_REQUEST, f"an event is larger than {MAX_EVENT_BYTES} bytes"
                )
            try:
                payloads.append(strict_json.loads(event, max_depth=MAX_EVENT_DEPTH))
            except strict_json.JsonRefusedError as exc:
                raise OperationError(BAD_REQUEST, f"an event is not valid JSON: {exc}") from exc
        namespace = self._namespace(channel)
        bodies = [
            json.dumps({"channel": channel, "events": events}, separators=(",", ":")),
            json.dumps({"channel": channel, "events": events}),
        ]
        caller = await self.authorizer.authorize(
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
                {"identifier": i, "index": n, "errorCode": 400, "errorMessage": failed[i]}
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
                                "errorType": MESSAGE_PROCESSING,
                                "message": MESSAGE_PROCESSING_MESSAGE,
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
