"""A minimal AppSync Events client for the local tests, written from AWS's protocol pages:
TLS with the local CA, the two subprotocols, API key or SigV4 (botocore) auth objects."""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from websockets.sync.client import ClientConnection, connect

from tests.local.platform import LocalPlatform

PROTOCOL = "aws-appsync-event-ws"


class Events:
    def __init__(self, platform: LocalPlatform) -> None:
        o = platform.outputs
        self.platform = platform
        self.host: str = o["realtime_http_dns"]
        self.publish_url: str = o["realtime_publish_url"]
        self.websocket_url: str = o["realtime_websocket_url"]
        self.api_key: str = o["realtime_api_key"]
        self.region: str = o["aws_region"]
        self.credentials = Credentials(o["aws_access_key_id"], o["aws_secret_access_key"])
        self.tls = ssl.create_default_context(cafile=o["local_ca_file"])
        # TLS 1.2: no session tickets arriving after the handshake, which websockets' sync
        # client reads on one thread while it writes on another (OpenSSL hangs seen here).
        self.tls.maximum_version = ssl.TLSVersion.TLSv1_2

    def key(self, key: str | None = None) -> dict[str, str]:
        return {"host": self.host, "x-api-key": key or self.api_key}

    @property
    def user_id(self) -> str:
        """The plan's local user: the ``sub`` its tokens carry."""
        user_id: str = self.platform.outputs["local_users"][0]["user_id"]
        return user_id

    def user(self) -> dict[str, str]:
        """Auth of the local user, signed in to the plan's user pool (an ID token)."""
        return {"host": self.host, "Authorization": self.platform.token()}

    def iam(self, body: str, credentials: Credentials | None = None) -> dict[str, str]:
        request = AWSRequest(
            method="POST",
            url=f"https://{self.host}/event",
            data=body,
            headers={"content-type": "application/json; charset=UTF-8", "host": self.host},
        )
        SigV4Auth(credentials or self.credentials, "appsync", self.region).add_auth(request)
        return dict(request.headers.items())

    def http_publish(
        self, channel: str, events: list[Any], headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any]]:
        body = json.dumps({"channel": channel, "events": [json.dumps(e) for e in events]})
        request = urllib.request.Request(  # noqa: S310 - the local endpoint
            self.publish_url,
            data=body.encode(),
            method="POST",
            headers={"content-type": "application/json", **(headers or self.key())},
        )
        try:
            with urllib.request.urlopen(request, timeout=30, context=self.tls) as response:  # noqa: S310
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    @contextmanager
    def socket(
        self, auth: dict[str, str] | None = None, protocols: list[str] | None = None
    ) -> Iterator[Socket]:
        header = base64.urlsafe_b64encode(json.dumps(auth or self.key()).encode()).decode()
        offered = protocols if protocols is not None else [PROTOCOL, "header-" + header.rstrip("=")]
        ws = None
        for attempt in (1, 2):
            try:
                ws = _bounded_connect(self.websocket_url, offered, self.tls)
                break
            except (ssl.SSLError, TimeoutError):
                # Seen under load: OpenSSL's "internal error", or a handshake that never
                # finished, while the client wrote its handshake. One more try; a second
                # failure is the test's failure.
                if attempt == 2:
                    raise
        assert ws is not None
        with ws:
            yield Socket(ws)


def _bounded_connect(url: str, offered: list[str], tls: ssl.SSLContext) -> ClientConnection:
    """``connect`` with a hard deadline: after a handshake timeout, websockets' sync client can
    wait forever for its receiving thread (seen with TLS), so the attempt runs in a daemon
    thread that is abandoned after 15 s."""
    result: dict[str, Any] = {}

    def attempt() -> None:
        try:
            result["ws"] = connect(url, subprotocols=offered, ssl=tls, open_timeout=10)  # type: ignore[arg-type]
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            result["error"] = exc

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(15)
    if worker.is_alive():
        raise TimeoutError(f"the WebSocket handshake with {url} did not finish within 15 s")
    if "error" in result:
        raise result["error"]
    ws: ClientConnection = result["ws"]
    return ws


class Socket:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.seen: list[dict[str, Any]] = []
        self.pending: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any] | str) -> None:
        self.ws.send(message if isinstance(message, str) else json.dumps(message))

    def next(self, kind: str, timeout: float = 10.0, id: str | None = None) -> dict[str, Any]:
        """The next message of ``kind`` (and ``id``); messages it passes over are kept for
        later calls (a broadcast can arrive before the publish's own answer)."""
        return self.next_of((kind,), id, timeout)

    def init(self) -> dict[str, Any]:
        self.send({"type": "connection_init"})
        return self.next("connection_ack")

    def subscribe(self, sub_id: str, channel: str, auth: dict[str, str]) -> dict[str, Any]:
        self.send({"type": "subscribe", "id": sub_id, "channel": channel, "authorization": auth})
        return self.next_of(("subscribe_success", "subscribe_error"), sub_id)

    def next_of(
        self, kinds: tuple[str, ...], sub_id: str | None, timeout: float = 15.0
    ) -> dict[str, Any]:
        def wanted(message: dict[str, Any]) -> bool:
            return message.get("type") in kinds and (sub_id is None or message.get("id") == sub_id)

        for message in self.pending:
            if wanted(message):
                self.pending.remove(message)
                return message
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"no {kinds} for {sub_id} in {timeout} s; seen {self.seen[-5:]}"
                )
            try:
                received: dict[str, Any] = json.loads(self.ws.recv(timeout=left))
            except TimeoutError:
                continue
            message = received
            self.seen.append(message)
            if wanted(message):
                return message
            if message.get("type") != "ka":
                self.pending.append(message)

    def events(self, sub_id: str, count: int, timeout: float = 10.0) -> list[Any]:
        return [json.loads(self.next("data", timeout, sub_id)["event"]) for _ in range(count)]
