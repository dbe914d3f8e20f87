"""One load run: N WebSocket subscribers across M channels, publishes at a set rate for a set
time, then a bounded wait for what is still on its way; every delivery tallied.

The Event API's protocol as AWS documents it ("Understanding the Event API WebSocket
protocol", AppSync Developer Guide): the ``aws-appsync-event-ws`` subprotocol with the
authorization headers base64url-encoded in a ``header-`` subprotocol, ``connection_init`` /
``connection_ack``, ``subscribe`` with its own authorization, ``data`` messages; publishing
over HTTP (``POST /event``, at most 5 events, each a JSON string) or over the WebSocket
(``publish``, answered by ``publish_success``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import ssl
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from platform_load.tally import Tally

SUBPROTOCOL = "aws-appsync-event-ws"
CONNECT_TIMEOUT = 30.0
MAX_IN_FLIGHT = 2_000  # publishes awaiting an answer; past it, the rate is not being met


class Auth(Protocol):
    def headers(self, body: str) -> dict[str, str]:
        """Authorization headers (with ``host``) for ``body`` sent to the Event API."""


@dataclass(frozen=True)
class Target:
    """Where the run goes, from the deployment's outputs."""

    http_host: str
    publish_url: str
    websocket_url: str
    auth: Auth
    tls: ssl.SSLContext | None
    local: bool


@dataclass(frozen=True)
class Plan:
    subscribers: int
    channels: int
    rate: float
    seconds: float
    namespace: str = "chat"
    publish: str = "http"  # or "ws"
    drain_seconds: float = 10.0


@dataclass
class Run:
    """What a run did, besides the tally."""

    tally: Tally = field(default_factory=Tally)
    published: int = 0
    publish_errors: Counter[str] = field(default_factory=Counter)
    connection_errors: Counter[str] = field(default_factory=Counter)
    connected: int = 0
    subscribed: int = 0
    connection_seconds: float = 0.0
    started: float = 0.0
    publishing_seconds: float = 0.0
    interrupted: bool = False
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    def channel(self, plan: Plan, index: int) -> str:
        return f"/{plan.namespace}/load-{self.run_id}-{index % plan.channels}"


def _header_subprotocol(headers: dict[str, str]) -> str:
    encoded = base64.urlsafe_b64encode(json.dumps(headers).encode()).decode()
    return "header-" + encoded.rstrip("=")


async def _subscriber(
    target: Target, plan: Plan, run: Run, index: int, ready: asyncio.Queue[bool]
) -> None:
    from websockets.asyncio.client import connect  # noqa: PLC0415 - the tool's own dependency

    channel = run.channel(plan, index)
    protocols = [SUBPROTOCOL, _header_subprotocol(target.auth.headers("{}"))]
    opened = time.monotonic()
    try:
        async with connect(
            target.websocket_url,
            subprotocols=protocols,  # type: ignore[arg-type]
            ssl=target.tls,
            open_timeout=CONNECT_TIMEOUT,
            max_queue=None,
        ) as ws:
            run.connected += 1
            await ws.send(json.dumps({"type": "connection_init"}))
            await _expect(ws, "connection_ack")
            sub_id = uuid.uuid4().hex
            body = json.dumps({"channel": channel})
            await ws.send(
                json.dumps(
                    {
                        "type": "subscribe",
                        "id": sub_id,
                        "channel": channel,
                        "authorization": target.auth.headers(body),
                    }
                )
            )
            await _expect(ws, "subscribe_success")
            run.subscribed += 1
            run.tally.subscribe(index, channel)
            await ready.put(True)
            async for raw in ws:
                message = json.loads(raw)
                if message.get("type") == "data" and message.get("id") == sub_id:
                    run.tally.receive(index, json.loads(message["event"]), time.monotonic())
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure is counted, by kind
        run.connection_errors[_kind(exc)] += 1
        await ready.put(False)
    finally:
        run.connection_seconds += time.monotonic() - opened


async def _expect(ws: Any, wanted: str) -> None:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), CONNECT_TIMEOUT))
        if message.get("type") == wanted:
            return
        if message.get("type") != "ka":
            raise ConnectionError(
                f"expected {wanted}, got {json.dumps(message.get('errors') or message)[:300]}"
            )


def _kind(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__


async def _publish_http(session: Any, target: Target, channel: str, event: dict[str, Any]) -> str:
    """POST one event; '' when accepted, else what went wrong."""
    body = json.dumps({"channel": channel, "events": [json.dumps(event)]})
    headers = {"content-type": "application/json", **target.auth.headers(body)}
    async with session.post(target.publish_url, data=body, headers=headers) as response:
        answer = await response.json(content_type=None)
        if response.status != 200:
            return f"HTTP {response.status}"
        failed = (answer or {}).get("failed") or []
        return f"failed: {failed[0].get('errorMessage', '')[:80]}" if failed else ""


class _WsPublisher:
    """One WebSocket publishing for the run (``publish`` / ``publish_success``)."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.ws: Any = None
        self.waiting: dict[str, asyncio.Future[str]] = {}
        self.reader: asyncio.Task[None] | None = None

    async def open(self) -> None:
        from websockets.asyncio.client import connect  # noqa: PLC0415

        protocols = [SUBPROTOCOL, _header_subprotocol(self.target.auth.headers("{}"))]
        self.ws = await connect(
            self.target.websocket_url,
            subprotocols=protocols,  # type: ignore[arg-type]
            ssl=self.target.tls,
            open_timeout=CONNECT_TIMEOUT,
        )
        await self.ws.send(json.dumps({"type": "connection_init"}))
        await _expect(self.ws, "connection_ack")
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            message = json.loads(raw)
            waiter = self.waiting.pop(str(message.get("id")), None)
            if waiter is None or waiter.done():
                continue
            if message.get("type") == "publish_success":
                failed = message.get("failed") or []
                waiter.set_result(f"failed: {failed[0].get('errorMessage', '')}" if failed else "")
            elif message.get("type") in {"publish_error", "error"}:
                waiter.set_result(f"refused: {json.dumps(message.get('errors'))[:80]}")

    async def publish(self, channel: str, event: dict[str, Any]) -> str:
        pub_id = uuid.uuid4().hex
        events = [json.dumps(event)]
        body = json.dumps({"channel": channel, "events": events})
        waiter: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.waiting[pub_id] = waiter
        await self.ws.send(
            json.dumps(
                {
                    "type": "publish",
                    "id": pub_id,
                    "channel": channel,
                    "events": events,
                    "authorization": self.target.auth.headers(body),
                }
            )
        )
        return await asyncio.wait_for(waiter, CONNECT_TIMEOUT)

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
        if self.ws is not None:
            await self.ws.close()


async def run_load(
    target: Target,
    plan: Plan,
    progress: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
) -> Run:
    """Connect, publish, drain; returns what happened (also when interrupted)."""
    import aiohttp  # noqa: PLC0415 - the tool's own dependency

    run = Run()
    ready: asyncio.Queue[bool] = asyncio.Queue()
    subscribers = [
        asyncio.ensure_future(_subscriber(target, plan, run, i, ready))
        for i in range(plan.subscribers)
    ]
    publisher = _WsPublisher(target) if plan.publish == "ws" else None
    connector = aiohttp.TCPConnector(ssl=target.tls if target.tls else True, limit=64)
    session = aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=CONNECT_TIMEOUT)
    )
    in_flight: set[asyncio.Task[None]] = set()
    try:
        for _ in range(plan.subscribers):  # every subscriber in place (or failed), bounded
            await asyncio.wait_for(ready.get(), CONNECT_TIMEOUT * 2)
        progress(
            f"{run.subscribed} of {plan.subscribers} subscribed on {plan.channels} channel(s); "
            f"publishing {plan.rate:g}/s for {plan.seconds:g} s over {plan.publish}"
        )
        if publisher is not None:
            await publisher.open()
        run.started = time.monotonic()
        await _publish_for(
            target,
            plan,
            run,
            session=session,
            publisher=publisher,
            in_flight=in_flight,
            progress=progress,
        )
        if in_flight:
            await asyncio.wait(in_flight, timeout=CONNECT_TIMEOUT)
        run.publishing_seconds = time.monotonic() - run.started
        deadline = time.monotonic() + plan.drain_seconds
        while run.tally.outstanding() and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
    except (asyncio.CancelledError, KeyboardInterrupt):
        run.interrupted = True
    finally:
        for task in (*in_flight, *subscribers):
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait([*in_flight, *subscribers], timeout=10)
        if publisher is not None:
            with contextlib.suppress(Exception):
                await publisher.close()
        await session.close()
    return run


async def _publish_for(
    target: Target,
    plan: Plan,
    run: Run,
    *,
    session: Any,
    publisher: _WsPublisher | None,
    in_flight: set[asyncio.Task[None]],
    progress: Callable[[str], None],
) -> None:
    total = int(plan.rate * plan.seconds)
    next_report = run.started + 1.0
    for n in range(total):
        due = run.started + n / plan.rate
        now = time.monotonic()
        if due > now:
            await asyncio.sleep(due - now)
        if len(in_flight) >= MAX_IN_FLIGHT:
            run.publish_errors["not sent: too many publishes awaiting an answer"] += 1
            continue
        channel = run.channel(plan, n)
        event_id = f"load-{run.run_id}-{n}"
        event = {"text": f"load {n}", "clientMessageId": event_id}
        task = asyncio.ensure_future(
            _one_publish(
                target,
                run,
                session=session,
                publisher=publisher,
                channel=channel,
                event_id=event_id,
                event=event,
            )
        )
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
        if time.monotonic() >= next_report:
            next_report += 1.0
            figures = run.tally.figures()
            progress(
                f"t={time.monotonic() - run.started:4.0f} s  published {run.published}/{total}  "
                f"delivered {figures['delivered']}  p99 {figures['latency_ms']['p99']} ms  "
                f"errors {sum(run.publish_errors.values()) + sum(run.connection_errors.values())}"
            )


async def _one_publish(
    target: Target,
    run: Run,
    *,
    session: Any,
    publisher: _WsPublisher | None,
    channel: str,
    event_id: str,
    event: dict[str, Any],
) -> None:
    sent_at = time.monotonic()
    # Counted as sent before the answer: a subscriber may receive it first.
    run.tally.accepted(event_id, channel, sent_at)
    try:
        if publisher is not None:
            problem = await publisher.publish(channel, event)
        else:
            problem = await _publish_http(session, target, channel, event)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - counted by kind
        problem = _kind(exc)
    run.published += 1
    if problem:
        run.tally.sent.pop(event_id, None)  # refused: no subscriber should get it
        run.publish_errors[problem] += 1
    else:
        run.tally.answered[event_id] = time.monotonic()
