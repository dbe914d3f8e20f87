"""The bench's ceiling: a bare broadcast server that speaks just enough of the Event API's
protocol for the bench's own clients (``connection_init``, ``subscribe``, WebSocket and HTTP
``publish``, ``data``), with TLS, and does nothing else: no auth, no handler, no channel
rules, one exact channel per subscription. What a publish costs on this machine when nothing
but the sockets is in the way.

    python benchmarks/broadcast_server.py --ws-port N --http-port M --cert C --key K

WebSocket: the ``websockets`` library. HTTP (``POST /event``, keep-alive): asyncio streams.
It runs until SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import ssl
from collections import defaultdict
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve

# channel -> {connection: subscription id}
SUBSCRIBERS: defaultdict[str, dict[ServerConnection, str]] = defaultdict(dict)


def fan_out(channel: str, events: list[str]) -> None:
    for connection, sub_id in list(SUBSCRIBERS.get(channel, {}).items()):
        for event in events:
            broadcast([connection], json.dumps({"type": "data", "id": sub_id, "event": event}))


def accepted(events: list[str]) -> dict[str, Any]:
    return {
        "successful": [{"identifier": str(n), "index": n} for n in range(len(events))],
        "failed": [],
    }


async def socket(connection: ServerConnection) -> None:
    mine: list[str] = []
    try:
        async for raw in connection:
            message = json.loads(raw)
            kind, ident = message.get("type"), message.get("id")
            if kind == "connection_init":
                await connection.send(
                    json.dumps({"type": "connection_ack", "connectionTimeoutMs": 300000})
                )
            elif kind == "subscribe":
                SUBSCRIBERS[message["channel"]][connection] = ident
                mine.append(message["channel"])
                await connection.send(json.dumps({"type": "subscribe_success", "id": ident}))
            elif kind == "publish":
                fan_out(message["channel"], message["events"])
                answer = {"type": "publish_success", "id": ident, **accepted(message["events"])}
                await connection.send(json.dumps(answer))
    finally:
        for channel in mine:
            SUBSCRIBERS[channel].pop(connection, None)


async def http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            message = json.loads(await reader.readexactly(length)) if length else {}
            fan_out(message.get("channel", ""), message.get("events", []))
            body = json.dumps(accepted(message.get("events", []))).encode()
            writer.write(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
            )
            await writer.drain()
    writer.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ws-port", type=int, required=True)
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    args = parser.parse_args()
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(args.cert, args.key)
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with serve(
        socket,
        "127.0.0.1",
        args.ws_port,
        ssl=tls,
        subprotocols=["aws-appsync-event-ws"],  # type: ignore[list-item]
        max_queue=None,
    ):
        server = await asyncio.start_server(http, "127.0.0.1", args.http_port, ssl=tls)
        async with server:
            await stop


if __name__ == "__main__":
    asyncio.run(main())
