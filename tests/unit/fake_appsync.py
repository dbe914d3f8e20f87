"""A fake AppSync Events endpoint on 127.0.0.1 (HTTP publish + WebSocket subscribe) that
checks what a client sends the way AppSync would: API key, or a SigV4 signature recomputed
with botocore for the body it came with."""

from __future__ import annotations

import base64
import contextlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from websockets.sync.server import ServerConnection, serve
from websockets.typing import Subprotocol

HTTP_HOST = "abcdefghijklmnopqrstuvwxyz.appsync-api.eu-west-1.amazonaws.com"
API_KEY = "da2-testkey"
CREDENTIALS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
REGION = "eu-west-1"


def check_auth(headers: dict[str, str], body: str, host: str = HTTP_HOST) -> str | None:
    """None when ``headers`` authorise ``body`` sent to ``host``, else why not."""
    lower = {k.lower(): v for k, v in headers.items()}
    if lower.get("host") != host:
        return f"host {lower.get('host')!r} is not the API's HTTP host"
    if "x-api-key" in lower:
        return None if lower["x-api-key"] == API_KEY else "wrong API key"
    authorization = lower.get("authorization", "")
    if not authorization.startswith("AWS4-HMAC-SHA256 "):
        return "no API key and no SigV4 signature"
    parts = dict(p.strip().split("=", 1) for p in authorization[17:].split(","))
    signed = parts["SignedHeaders"].split(";")
    request = AWSRequest(
        method="POST",
        url=f"https://{host}/event",
        data=body,
        headers={name: lower[name] for name in signed},
    )
    request.context["timestamp"] = lower["x-amz-date"]
    signer = SigV4Auth(CREDENTIALS, "appsync", REGION)
    expected = signer.signature(
        signer.string_to_sign(request, signer.canonical_request(request)), request
    )
    if parts["Signature"] != expected:
        return "SigV4 signature does not match the body"
    if "/appsync/aws4_request" not in parts["Credential"]:
        return "signed for another service"
    return None


def body_problem(request: Any) -> str | None:
    """What AppSync would refuse in a publish body: a channel and 1-5 JSON strings."""
    if not isinstance(request, dict) or set(request) != {"channel", "events"}:
        return "body must be {channel, events}"
    channel, events = request["channel"], request["events"]
    if not isinstance(channel, str) or not channel.startswith("/") or "*" in channel:
        return f"channel {channel!r} is not a channel path"
    if not isinstance(events, list) or not 1 <= len(events) <= 5:
        return "events must hold 1 to 5 events"
    for event in events:
        try:
            json.loads(event)
        except (TypeError, ValueError):
            return "each event must be a JSON string"
    return None


@dataclass
class FakeAppSync:
    http_url: str = ""
    ws_url: str = ""
    published: list[dict[str, Any]] = field(default_factory=list)
    subscriptions: list[dict[str, Any]] = field(default_factory=list)
    refused_channels: set[str] = field(default_factory=set)
    failing_indexes: set[int] = field(default_factory=set)
    failure_message: str = "InvalidPayloadError - text: Field required"
    # The Host the signatures must be for (a publisher that targets this server directly signs
    # for 127.0.0.1:<port>), and HTTP statuses to answer, in order, before serving normally.
    host: str = HTTP_HOST
    scripted_statuses: list[int] = field(default_factory=list)
    attempts: int = 0
    # Set once a WebSocket session is over (the client's unsubscribe, if any, recorded).
    session_over: threading.Event = field(default_factory=threading.Event)


@contextmanager
def fake_appsync() -> Iterator[FakeAppSync]:
    state = FakeAppSync()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"])).decode()
            state.attempts += 1
            if state.scripted_statuses:
                status = state.scripted_statuses.pop(0)
                self._answer(
                    status, {"errors": [{"errorType": "Scripted", "message": str(status)}]}
                )
                return
            problem = check_auth(dict(self.headers.items()), body, state.host)
            if problem:
                self._answer(
                    401, {"errors": [{"errorType": "UnauthorizedException", "message": problem}]}
                )
                return
            request = json.loads(body)
            problem = body_problem(request)
            if problem:
                self._answer(400, {"errors": [{"errorType": "BadRequest", "message": problem}]})
                return
            state.published.append(request)
            results = [{"identifier": f"id-{n}", "index": n} for n in range(len(request["events"]))]
            self._answer(
                200,
                {
                    "successful": [r for r in results if r["index"] not in state.failing_indexes],
                    "failed": [
                        {
                            **r,
                            "errorCode": 400,
                            "errorMessage": state.failure_message,
                        }
                        for r in results
                        if r["index"] in state.failing_indexes
                    ],
                },
            )

        def _answer(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: Any) -> None:
            pass

    def websocket(ws: ServerConnection) -> None:
        offered = ws.request.headers["Sec-WebSocket-Protocol"].split(", ") if ws.request else []
        header = next(p for p in offered if p.startswith("header-"))[7:]
        auth = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
        if check_auth(auth, "{}") is not None:
            ws.send(json.dumps({"type": "connection_error", "errors": [{"message": "denied"}]}))
            return
        assert json.loads(ws.recv())["type"] == "connection_init"
        ws.send(json.dumps({"type": "connection_ack", "connectionTimeoutMs": 300000}))
        ws.send(json.dumps({"type": "ka"}))
        message = json.loads(ws.recv())
        state.subscriptions.append(message)
        problem = check_auth(message["authorization"], json.dumps({"channel": message["channel"]}))
        if problem or message["channel"] in state.refused_channels:
            reason = problem or "ChannelRefusedError - not your channel"
            ws.send(
                json.dumps(
                    {
                        "type": "subscribe_error",
                        "id": message["id"],
                        "errors": [{"message": reason}],
                    }
                )
            )
            return
        ws.send(json.dumps({"type": "subscribe_success", "id": message["id"]}))
        for n in range(3):
            event = json.dumps({"n": n, "channel": message["channel"]})
            ws.send(json.dumps({"type": "data", "id": message["id"], "event": event}))
        with contextlib.suppress(TimeoutError):
            state.subscriptions.append(json.loads(ws.recv(timeout=5)))  # the unsubscribe
        state.session_over.set()

    http_server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    http_thread = threading.Thread(target=http_server.serve_forever, daemon=True)
    http_thread.start()
    protocols = [Subprotocol("aws-appsync-event-ws")]
    with serve(websocket, "127.0.0.1", 0, subprotocols=protocols) as ws_server:
        ws_thread = threading.Thread(target=ws_server.serve_forever, daemon=True)
        ws_thread.start()
        state.http_url = f"http://127.0.0.1:{http_server.server_address[1]}"
        state.ws_url = f"ws://127.0.0.1:{ws_server.socket.getsockname()[1]}/event/realtime"
        try:
            yield state
        finally:
            ws_server.shutdown()
            ws_thread.join(timeout=5)
            http_server.shutdown()
            http_server.server_close()
            http_thread.join(timeout=5)
