"""The runtime's own small HTTP server: the notifier's webhook receiver and the control API.

- ``POST /hooks/<anything>``: a chat webhook stand-in. Each message is kept, shown on the
  console, and answered 200 (or with the status a fault asks for).
- ``GET /hooks``: the messages received, oldest first.
- ``GET /_local/status``: per function, invocations, errors and waiting events, and its
  planned handler and environment (resolved); whether any stream batch or bus delivery is in
  flight (``idle`` when nothing is); the fault registry (``faults.py``): rates, what is armed,
  and every fault injected, by kind.
- ``POST /_local/faults``: fault injection, off until asked for, one order per request:
  ``{"rates": {<kind>: <probability>, ...}, "seed": n}`` fails that share of requests of
  each kind until ``{"rates": {}}`` lifts them;
  ``{"function": <name>, "fault": "timeout" | "crash", "count": n}`` makes the next n
  invocations of a function time out or kill its worker mid-invocation;
  ``{"target": <target ARN>, "count": n}`` makes the next n deliveries to a bus target fail;
  ``{"webhook_status": <HTTP status>, "count": n}`` makes the webhook answer that status;
  ``{"event_api": "drop_connections"}`` cuts every Event API WebSocket connection (no close
  frame), so clients must reconnect and subscribe again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import Any

from aiohttp import web

from local_runtime.aws.streams import StreamRetention
from local_runtime.console import Console
from local_runtime.faults import Faults


class Control:
    def __init__(
        self,
        console: Console,
        status: Callable[[], dict[str, Any]],
        faults: Faults,
        *,
        functions: Collection[str] = (),
        drop_connections: Callable[[], int] | None = None,
        retention: StreamRetention | None = None,
    ) -> None:
        self.console = console
        self.retention = retention
        self.status = status
        self.faults = faults
        self.functions = functions
        self.drop_connections = drop_connections
        self.messages: list[dict[str, Any]] = []

    async def hook(self, request: web.Request) -> web.Response:
        try:
            body: Any = await request.json()
        except ValueError:
            body = await request.text()
        armed = self.faults.take("webhook_status", "webhook")
        status = int(armed) if armed is not None else 503 if self.faults.hit("webhook") else 200
        self.messages.append(
            {"path": request.path, "body": body, "status": status, "received": time.time()}
        )
        text = body.get("text") if isinstance(body, dict) else body
        self.console.hop(
            "webhook", f"{request.path} <- {text!s:.160} (answered {status})", tone="info"
        )
        return web.Response(status=status, text="ok" if status < 300 else "failing")

    async def hooks(self, _: web.Request) -> web.Response:
        return web.json_response(self.messages)

    async def state(self, _: web.Request) -> web.Response:
        return web.json_response(self.status())

    async def inject(self, request: web.Request) -> web.Response:
        try:
            order = await request.json()
        except ValueError:
            return web.json_response({"error": "body must be JSON"}, status=400)
        if not isinstance(order, dict):
            return web.json_response({"error": "body must be a JSON object"}, status=400)
        problem = self.order(order)
        if problem:
            return web.json_response({"error": problem}, status=400)
        self.console.hop("fault", f"injected: {order}", tone="warn")
        return web.json_response({"injected": order})

    def order(self, order: dict[str, Any]) -> str | None:
        """Carry out one fault order; what is wrong with it, or None."""
        if "rates" in order:
            problem = self.faults.configure(order["rates"], order.get("seed"))
            if problem is None:
                active = {k: v for k, v in self.faults.rates.items() if v}
                shown = ", ".join(f"{k} {v:.0%}" for k, v in active.items()) or "none (lifted)"
                self.console.hop("fault", f"fault rates: {shown}", tone="warn")
            return problem
        if order.get("disarm") is True:
            self.faults.disarm()
            self.console.hop("fault", "armed faults cleared", tone="warn")
            return None
        if order.get("event_api") == "drop_connections" and self.drop_connections:
            self.faults.count("drop_connections", self.drop_connections())
            return None
        count = order.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            return f"count must be a positive integer, not {count!r}"
        armed = self._armed(order)
        if isinstance(armed, str):
            return armed
        kind, key, value = armed
        self.faults.arm(kind, key, count, value)
        return None

    def _armed(self, order: dict[str, Any]) -> tuple[str, str, Any] | str:
        """(kind, key, value) of a fault to arm, or what is wrong with the order."""
        function = order.get("function", order.get("stream_again"))
        if function is not None and function not in self.functions:
            return f"no function {function!r} in the plan"
        if "function" in order:
            fault = order.get("fault")
            return (
                (f"function_{fault}", str(function), True)
                if fault in {"timeout", "crash", "timeout_after", "crash_after"}
                else "fault must be timeout, crash, timeout_after or crash_after"
            )
        keyed = {"stream_again": "stream_redelivery", "duplicate": "duplicate_delivery"}
        for name, kind in {**keyed, "target": "target"}.items():
            if name in order:
                return kind, str(order[name]), True
        if "webhook_status" in order:
            status = order["webhook_status"]
            valid = isinstance(status, int) and not isinstance(status, bool) and 100 <= status < 600
            return (
                ("webhook_status", "webhook", status)
                if valid
                else f"webhook_status must be an HTTP status, not {status!r}"
            )
        return (
            "say which rates, function, target, duplicate, stream_again, webhook_status, "
            "event_api (drop_connections) or disarm"
        )

    async def streams(self, request: web.Request) -> web.Response:
        """``POST /_local/streams {"retentionSeconds": n}``: how long stream records live
        (``aws/streams.py``); records older than that are trimmed at the next read."""
        try:
            order = await request.json()
        except ValueError:
            order = None
        seconds = order.get("retentionSeconds") if isinstance(order, dict) else None
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, int | float)
            or not 0 <= seconds <= 86400
        ):
            return web.json_response(
                {"error": "retentionSeconds must be 0-86400 seconds (AWS keeps 24 hours)"},
                status=400,
            )
        if self.retention is None:
            return web.json_response({"error": "no local AWS"}, status=409)
        self.retention.seconds = float(seconds)
        self.console.hop("stream", f"stream records now live {seconds} s", tone="warn")
        return web.json_response({"retentionSeconds": seconds})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/hooks/{tail:.*}", self.hook)
        app.router.add_get("/hooks", self.hooks)
        app.router.add_get("/_local/status", self.state)
        app.router.add_post("/_local/faults", self.inject)
        app.router.add_post("/_local/streams", self.streams)
        return app
