"""The runtime's own small HTTP server: the notifier's webhook receiver and the control API.

- ``POST /hooks/<anything>``: a chat webhook stand-in. Each message is kept, shown on the
  console, and answered 200 (or with the status the control API asked for).
- ``GET /hooks``: the messages received, oldest first.
- ``GET /_local/status``: per function, invocations, errors and waiting events, and its
  planned handler and environment (resolved); whether any stream batch or bus delivery is in
  flight (``idle`` when nothing is).
- ``POST /_local/faults``: fault injection, off until asked for:
  ``{"rates": {<kind>: <probability>, ...}, "seed": n}`` fails that share of requests of
  each kind (``faults.py``: DynamoDB throttling, PutEvents entry failures, the webhook down,
  Event API 5xx) until ``{"rates": {}}`` lifts them;
  ``{"function": <name>, "fault": "timeout" | "crash", "count": n}`` makes the next n
  invocations of a function time out or kill its worker mid-invocation;
  ``{"target": <target ARN>, "count": n}`` makes the next n deliveries to a bus target fail;
  ``{"webhook_status": <HTTP status>, "count": n}`` makes the webhook answer that status;
  ``{"event_api": "drop_connections"}`` cuts every Event API WebSocket connection (no close
  frame), so clients must reconnect and subscribe again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from local_runtime.console import Console
from local_runtime.faults import Faults


class Control:
    def __init__(
        self, console: Console, status: Callable[[], dict[str, Any]], faults: Faults | None = None
    ) -> None:
        self.console = console
        self.status = status
        self.rated = faults
        self.messages: list[dict[str, Any]] = []
        self.webhook_faults: list[int] = []
        self.inject: Callable[[dict[str, Any]], str | None] = lambda _: "no runtime"

    async def hook(self, request: web.Request) -> web.Response:
        try:
            body: Any = await request.json()
        except ValueError:
            body = await request.text()
        if self.webhook_faults:
            status = self.webhook_faults.pop(0)
        elif self.rated is not None and self.rated.hit("webhook"):
            status = 503
        else:
            status = 200
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

    async def faults(self, request: web.Request) -> web.Response:
        try:
            order = await request.json()
        except ValueError:
            return web.json_response({"error": "body must be JSON"}, status=400)
        if not isinstance(order, dict):
            return web.json_response({"error": "body must be a JSON object"}, status=400)
        if "webhook_status" in order:
            self.webhook_faults.extend([int(order["webhook_status"])] * int(order.get("count", 1)))
            problem = None
        else:
            problem = self.inject(order)
        if problem:
            return web.json_response({"error": problem}, status=400)
        self.console.hop("fault", f"injected: {order}", tone="warn")
        return web.json_response({"injected": order})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/hooks/{tail:.*}", self.hook)
        app.router.add_get("/hooks", self.hooks)
        app.router.add_get("/_local/status", self.state)
        app.router.add_post("/_local/faults", self.faults)
        return app
