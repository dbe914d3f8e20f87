"""Example client of the platform's AppSync Events API: publish over HTTP, subscribe over
WebSocket, with an API key or IAM (SigV4).

    pip install -r examples/realtime_client/requirements.txt
    cd terraform
    HTTP=$(terraform output -raw realtime_http_dns)
    KEY=$(terraform output -raw realtime_api_key)

    # publish two chat messages with the API key
    python ../examples/realtime_client/client.py publish --host "$HTTP" --api-key "$KEY" \\
        --channel /chat/lobby '{"text": "hello"}' '{"text": "mail me at jane@example.com"}'

    # receive your reports, signed with your AWS credentials (IAM)
    python ../examples/realtime_client/client.py subscribe --host "$HTTP" --iam \\
        --channel /reports/<your user id> --count 1

The realtime host is derived from the HTTP host (``appsync-api`` -> ``appsync-realtime-api``)
unless ``--realtime-host`` says otherwise.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

SUBPROTOCOL = "aws-appsync-event-ws"
MAX_EVENTS_PER_PUBLISH = 5  # AppSync Events' limit per request


class EventApiError(RuntimeError):
    """AppSync refused a request; the message says what it answered."""


class Auth(Protocol):
    def headers(self, body: str) -> dict[str, str]:
        """Authorization headers for a request to https://<http host>/event with ``body``."""


@dataclass(frozen=True)
class ApiKeyAuth:
    host: str
    api_key: str

    def headers(self, body: str) -> dict[str, str]:  # an API key signs nothing
        return {"host": self.host, "x-api-key": self.api_key}


@dataclass(frozen=True)
class IamAuth:
    """SigV4 (service ``appsync``) with botocore's signer and the default credential chain."""

    host: str
    region: str
    credentials: Any = None  # botocore Credentials; None: the default chain

    def headers(self, body: str) -> dict[str, str]:
        from botocore.auth import SigV4Auth  # noqa: PLC0415 - only IAM callers need botocore
        from botocore.awsrequest import AWSRequest  # noqa: PLC0415
        from botocore.session import Session  # noqa: PLC0415

        credentials = self.credentials or Session().get_credentials()
        if credentials is None:
            raise EventApiError("no AWS credentials found for IAM auth (see `aws configure`)")
        request = AWSRequest(
            method="POST",
            url=f"https://{self.host}/event",
            data=body,
            headers={
                "accept": "application/json, text/javascript",
                "content-encoding": "amz-1.0",
                "content-type": "application/json; charset=UTF-8",
                "host": self.host,
            },
        )
        SigV4Auth(credentials.get_frozen_credentials(), "appsync", self.region).add_auth(request)
        return dict(request.headers.items())


def publish(
    auth: Auth, channel: str, events: list[Any], base_url: str | None = None
) -> dict[str, Any]:
    """POST ``events`` (JSON values) to ``channel``; raise EventApiError naming each failure."""
    if not 1 <= len(events) <= MAX_EVENTS_PER_PUBLISH:
        raise ValueError(
            f"publish 1 to {MAX_EVENTS_PER_PUBLISH} events at a time, not {len(events)}"
        )
    body = json.dumps({"channel": channel, "events": [json.dumps(e) for e in events]})
    url = f"{base_url or 'https://' + auth_host(auth)}/event"
    headers = {"content-type": "application/json", **auth.headers(body)}
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - https or test
            answer: dict[str, Any] = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise EventApiError(
            f"publish to {channel} refused: {exc.code} {exc.read().decode()}"
        ) from exc
    failed = answer.get("failed") or []
    if failed:
        reasons = "; ".join(
            f"event {f.get('index')}: {f.get('errorMessage') or f.get('errorCode')}" for f in failed
        )
        raise EventApiError(f"publish to {channel}: {len(failed)} event(s) failed: {reasons}")
    return answer


def auth_host(auth: Auth) -> str:
    host: str = auth.headers("{}")["host"]
    return host


def realtime_host(http_host: str) -> str:
    return http_host.replace("appsync-api", "appsync-realtime-api")


def _header_subprotocol(headers: Mapping[str, str]) -> str:
    encoded = base64.urlsafe_b64encode(json.dumps(dict(headers)).encode()).decode()
    return "header-" + encoded.rstrip("=")


def subscribe(
    auth: Auth,
    channel: str,
    url: str | None = None,
    connect: Callable[..., Any] | None = None,
    timeout: float = 30.0,
) -> Iterator[Any]:
    """Yield each event published to ``channel`` (decoded JSON), until the caller stops."""
    if connect is None:
        from websockets.sync.client import connect as ws_connect  # noqa: PLC0415

        connect = ws_connect
    url = url or f"wss://{realtime_host(auth_host(auth))}/event/realtime"
    protocols = [SUBPROTOCOL, _header_subprotocol(auth.headers("{}"))]
    with connect(url, subprotocols=protocols, open_timeout=timeout) as ws:
        ws.send(json.dumps({"type": "connection_init"}))
        _expect(ws, "connection_ack", timeout)
        sub_id = str(uuid.uuid4())
        ws.send(
            json.dumps(
                {
                    "type": "subscribe",
                    "id": sub_id,
                    "channel": channel,
                    "authorization": auth.headers(json.dumps({"channel": channel})),
                }
            )
        )
        _expect(ws, "subscribe_success", timeout)
        try:
            while True:
                message = json.loads(ws.recv(timeout=timeout))
                if message.get("type") == "data" and message.get("id") == sub_id:
                    yield json.loads(message["event"])
                elif message.get("type") in {"error", "subscribe_error"}:
                    raise EventApiError(f"subscription to {channel} ended: {message}")
        finally:
            ws.send(json.dumps({"type": "unsubscribe", "id": sub_id}))


def _expect(ws: Any, wanted: str, timeout: float) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = json.loads(ws.recv(timeout=timeout))
        kind = message.get("type")
        if kind == wanted:
            return message
        if kind == "ka":
            continue
        errors = message.get("errors") or [message]
        raise EventApiError(f"expected {wanted}, got {kind}: {json.dumps(errors)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["publish", "subscribe"])
    parser.add_argument("--host", required=True, help="realtime_http_dns output of terraform")
    parser.add_argument("--channel", required=True, help="e.g. /chat/lobby")
    key_or_iam = parser.add_mutually_exclusive_group(required=True)
    key_or_iam.add_argument("--api-key", help="realtime_api_key output of terraform")
    key_or_iam.add_argument("--iam", action="store_true", help="sign with your AWS credentials")
    parser.add_argument("--region", default="eu-west-1")
    parser.add_argument("--count", type=int, default=0, help="stop after N events (0: never)")
    parser.add_argument("events", nargs="*", help="JSON objects to publish")
    # Intermixed: the events may follow the options, as the README writes them.
    args = parser.parse_intermixed_args(argv)
    auth: Auth = (
        ApiKeyAuth(args.host, args.api_key) if args.api_key else IamAuth(args.host, args.region)
    )
    try:
        if args.command == "publish":
            answer = publish(auth, args.channel, [json.loads(e) for e in args.events])
            print(json.dumps(answer, indent=2))
        else:
            for n, event in enumerate(subscribe(auth, args.channel, timeout=600), start=1):
                print(json.dumps(event), flush=True)
                if n == args.count:
                    break
    except EventApiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
