"""One WebSocket connection to the Event API and its subscriptions."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

MAX_SUBSCRIPTIONS = 100


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
