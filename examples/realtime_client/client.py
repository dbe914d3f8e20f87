"""Example client of the platform's AppSync Events API: publish over HTTP, subscribe over
WebSocket, read a durable channel's history; as a signed-in user of the platform's user pool
(Cognito SRP, the password never leaves the machine), with an API key, or with IAM (SigV4).

    pip install -r examples/realtime_client/requirements.txt
    terraform -chdir=terraform output -json > outputs.json   # make local: dist/local/outputs.json
    export PLATFORM_PASSWORD=...                              # or be asked for it

    # on make local, with no --user: its local user; {me} is the signed-in user's id
    python examples/realtime_client/client.py --outputs dist/local/outputs.json \\
        publish --channel '/answers/{me}' '{"questionnaireId": "account-security.v1",
        "questionId": "mfa", "value": true}'

    # as a signed-in user: publish, subscribe and catch up on what you missed
    python examples/realtime_client/client.py --outputs outputs.json --user jane@example.com \\
        publish --channel /chat/lobby '{"text": "hello", "clientMessageId": "m-1"}'
    python examples/realtime_client/client.py --outputs outputs.json --user jane@example.com \\
        subscribe --channel /chat/lobby --resume --after 41
    python examples/realtime_client/client.py --outputs outputs.json --user jane@example.com \\
        history --channel /chat/lobby --after 41

    # presence: stay on a channel (heartbeats until Ctrl-C), see who is there, watch them
    python examples/realtime_client/client.py --outputs outputs.json --user jane@example.com \\
        presence enter --channel /chat/lobby --name Jane
    python examples/realtime_client/client.py --outputs outputs.json --user bob@example.com \\
        presence list --channel /chat/lobby
    python examples/realtime_client/client.py --outputs outputs.json --user bob@example.com \\
        presence watch --channel /chat/lobby

    # with the API key, or your AWS credentials
    python examples/realtime_client/client.py --outputs outputs.json --api-key \\
        publish --channel /chat/lobby '{"text": "mail me at jane@example.com"}'

``--resume`` subscribes, then reads what the channel kept after the last ``seq`` held
(``--after``), merges by ``seq`` and drops repeats by ``id``; a live event whose ``seq`` jumps
and every reconnect trigger another catch-up. The WebSocket host is the HTTP host with
``appsync-api`` -> ``appsync-realtime-api`` (AWS's naming), or ``realtime_websocket_url`` from
``--outputs``.
"""

from __future__ import annotations

import argparse
import base64
import getpass
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

SUBPROTOCOL = "aws-appsync-event-ws"
MAX_EVENTS_PER_PUBLISH = 5  # AppSync Events' limit per request


class EventApiError(RuntimeError):
    """AppSync refused a request; the message says what it answered."""


class RefusedError(EventApiError):
    """The platform's HTTP API answered with an error status (kept in ``status``)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


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


@dataclass(frozen=True)
class TokenAuth:
    """A user pool token (ID or access) in the ``Authorization`` header."""

    host: str
    token: str

    def headers(self, body: str) -> dict[str, str]:  # a token signs nothing
        return {"host": self.host, "Authorization": self.token}


def sign_in(
    pool_id: str, client_id: str, username: str, password: str, endpoint_url: str | None = None
) -> str:
    """An ID token of ``username``, signed in with Cognito's SRP flow (pycognito)."""
    import boto3  # noqa: PLC0415 - only signed-in users need them
    from pycognito.aws_srp import AWSSRP  # noqa: PLC0415

    region = pool_id.split("_", 1)[0]
    cognito = boto3.client("cognito-idp", region_name=region, endpoint_url=endpoint_url)
    srp = AWSSRP(
        username=username, password=password, pool_id=pool_id, client_id=client_id, client=cognito
    )
    try:
        tokens = srp.authenticate_user()
    except cognito.exceptions.NotAuthorizedException as exc:
        raise EventApiError(f"sign-in refused for {username}: {exc}") from exc
    token: str = tokens["AuthenticationResult"]["IdToken"]
    return token


def publish(
    auth: Auth,
    channel: str,
    events: list[Any],
    base_url: str | None = None,
    tls: ssl.SSLContext | None = None,
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
        with urllib.request.urlopen(request, timeout=10, context=tls) as response:  # noqa: S310
            answer: dict[str, Any] = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise EventApiError(
            f"publish to {channel} refused: {exc.code} {exc.read().decode()}"
        ) from exc
    # A repeat of a message id a durable channel kept is no failure: it was delivered once.
    failed = [f for f in answer.get("failed") or [] if not is_repeat(f)]
    if failed:
        reasons = "; ".join(
            f"event {f.get('index')}: {f.get('errorMessage') or f.get('errorCode')}" for f in failed
        )
        raise EventApiError(f"publish to {channel}: {len(failed)} event(s) failed: {reasons}")
    return answer


REPEAT = "AlreadyPublishedError - "


def is_repeat(failed: Mapping[str, Any]) -> bool:
    """A failed item that repeats a message id the channel kept (``clientMessageId``)."""
    return str(failed.get("errorMessage") or "").startswith(REPEAT)


def auth_host(auth: Auth) -> str:
    host: str = auth.headers("{}")["host"]
    return host


def realtime_host(http_host: str) -> str:
    return http_host.replace("appsync-api", "appsync-realtime-api")


def _header_subprotocol(headers: Mapping[str, str]) -> str:
    encoded = base64.urlsafe_b64encode(json.dumps(dict(headers)).encode()).decode()
    return "header-" + encoded.rstrip("=")


SUBSCRIBED = object()
"""Yielded once by ``subscribe(..., announce=True)`` when the subscription is in place."""


def subscribe(
    auth: Auth,
    channel: str,
    url: str | None = None,
    connect: Callable[..., Any] | None = None,
    timeout: float = 30.0,
    *,
    announce: bool = False,
    tls: ssl.SSLContext | None = None,
) -> Iterator[Any]:
    """Yield each event published to ``channel`` (decoded JSON), until the caller stops;
    first ``SUBSCRIBED`` if ``announce``."""
    if connect is None:
        from websockets.sync.client import connect as ws_connect  # noqa: PLC0415

        connect = ws_connect
    url = url or f"wss://{realtime_host(auth_host(auth))}/event/realtime"
    protocols = [SUBPROTOCOL, _header_subprotocol(auth.headers("{}"))]
    options: dict[str, Any] = {} if tls is None else {"ssl": tls}
    with connect(url, subprotocols=protocols, open_timeout=timeout, **options) as ws:
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
        if announce:
            yield SUBSCRIBED
        try:
            while True:
                message = json.loads(ws.recv(timeout=timeout))
                if message.get("type") == "data" and message.get("id") == sub_id:
                    yield json.loads(message["event"])
                elif message.get("type") in {"error", "subscribe_error"}:
                    raise EventApiError(f"subscription to {channel} ended: {message}")
        finally:
            ws.send(json.dumps({"type": "unsubscribe", "id": sub_id}))


# --- durable channels -----------------------------------------------------------------------


def read_history(
    url: str,
    channel: str,
    token: str,
    after: int = 0,
    tls: ssl.SSLContext | None = None,
) -> Iterator[dict[str, Any]]:
    """Every event ``channel`` kept after ``after``, in ``seq`` order, page by page
    (``GET <channel_history_url>/<channel>``): ``{"id", "seq", "publishedAt", "payload"}``."""
    limit = 100
    query: dict[str, str | int] = {"after": after, "limit": limit}
    while True:
        address = f"{url.rstrip('/')}{channel}?{urllib.parse.urlencode(query)}"
        request = urllib.request.Request(address, headers={"Authorization": token})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10, context=tls) as response:  # noqa: S310
                page: dict[str, Any] = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise EventApiError(
                f"history of {channel} refused: {exc.code} {exc.read().decode()}"
            ) from exc
        yield from page["events"]
        if page["next"] is None:
            return
        query = {"cursor": page["next"], "limit": limit}


# --- presence --------------------------------------------------------------------------------


def _call(
    address: str, token: str, what: str, body: Any = None, tls: ssl.SSLContext | None = None
) -> dict[str, Any]:
    """``GET`` (no body) or ``POST`` JSON to the platform's HTTP API with a user's token."""
    request = urllib.request.Request(  # noqa: S310 - the platform's own URL
        address,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": token, "content-type": "application/json"},
        method="GET" if body is None else "POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10, context=tls) as response:  # noqa: S310
            answer: dict[str, Any] = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise RefusedError(f"{what} refused: {exc.code} {exc.read().decode()}", exc.code) from exc
    return answer


def change_presence(
    url: str,
    channel: str,
    token: str,
    action: str,
    data: Mapping[str, str] | None = None,
    *,
    tls: ssl.SSLContext | None = None,
) -> dict[str, Any]:
    """``enter``, ``update``, ``heartbeat`` or ``leave`` ``channel`` (``POST <presence_url>
    <channel>``): the answer says what was announced and the heartbeat interval."""
    body: dict[str, Any] = {"action": action}
    if data:
        body["data"] = dict(data)
    return _call(f"{url.rstrip('/')}{channel}", token, f"presence {action} on {channel}", body, tls)


def list_presence(
    url: str, channel: str, token: str, tls: ssl.SSLContext | None = None
) -> dict[str, Any]:
    """Who is on ``channel`` now: ``{"occupancy", "members": [{"id", "data", "enteredAt"}]}``."""
    return _call(f"{url.rstrip('/')}{channel}", token, f"presence of {channel}", tls=tls)


def stay_present(
    url: str,
    channel: str,
    token: str,
    data: Mapping[str, str] | None = None,
    *,
    seconds: float | None = None,
    tls: ssl.SSLContext | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    entered: Callable[[dict[str, Any]], None] = lambda answer: None,
) -> None:
    """Enter ``channel``, beat every interval the platform names, leave at the end (after
    ``seconds``, or when interrupted). A heartbeat the platform no longer knows (409: the
    member expired while this machine slept) enters again; one that fails otherwise is
    tried at the next beat, the member staying present for two intervals meanwhile."""
    answer = change_presence(url, channel, token, "enter", data, tls=tls)
    entered(answer)
    interval = float(answer["heartbeatSeconds"])
    start = clock()
    try:
        while seconds is None or clock() - start < seconds:
            left = interval if seconds is None else max(0.0, seconds - (clock() - start))
            sleep(min(interval, left))
            if seconds is not None and clock() - start >= seconds:
                break
            try:
                change_presence(url, channel, token, "heartbeat", tls=tls)
            except RefusedError as exc:
                if exc.status != 409:
                    print(f"heartbeat failed ({exc}); next one in {interval:g} s", file=sys.stderr)
                    continue
                entered(change_presence(url, channel, token, "enter", data, tls=tls))
            except OSError as exc:  # the network: the next beat may get through
                print(f"heartbeat failed ({exc}); next one in {interval:g} s", file=sys.stderr)
    finally:
        change_presence(url, channel, token, "leave", tls=tls)


@dataclass
class Merge:
    """Live events and history merged by ``seq``, repeats (by ``id``) dropped.

    ``offer`` takes a live event: the events now due, in order, and whether a catch-up is
    needed (its ``seq`` jumped: something came before it that this client has not seen).
    ``fill`` takes what history answered after ``last``: the events due, and those held back
    behind a gap history could not fill (a number given to a write that failed) released in
    order. Events without ``seq`` (a namespace without history) pass straight through.
    """

    last: int = 0
    seen: set[str] = field(default_factory=set)
    held: dict[int, dict[str, Any]] = field(default_factory=dict)

    def offer(self, event: Any) -> tuple[list[Any], bool]:
        if not isinstance(event, dict) or type(event.get("seq")) is not int:
            return [event], False
        if event.get("id") in self.seen or event["seq"] <= self.last:
            return [], False
        if event["seq"] != self.last + 1:
            self.held[event["seq"]] = event
            return [], True
        return self._due(event), False

    def fill(self, kept: Iterable[dict[str, Any]]) -> list[Any]:
        due: list[Any] = []
        for item in kept:
            event = item.get("payload")
            if not isinstance(event, dict) or event.get("id") in self.seen:
                continue
            if item["seq"] <= self.last:
                continue
            self.held.pop(item["seq"], None)
            if item["seq"] != self.last + 1:
                self.held[item["seq"]] = event  # history has a gap here too: released below
                continue
            due += self._due(event)
        while self.held:  # what no catch-up can fill: numbers that were never used
            seq = min(self.held)
            self.last = seq - 1
            due += self._due(self.held.pop(seq))
        return due

    def _due(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        due = [event]
        self.last = event["seq"]
        self.seen.add(str(event.get("id")))
        while self.last + 1 in self.held:
            following = self.held.pop(self.last + 1)
            self.last = following["seq"]
            self.seen.add(str(following.get("id")))
            due.append(following)
        return due


def _connection_lost() -> tuple[type[BaseException], ...]:
    """What a dropped connection raises: the socket's errors, and websockets' closing."""
    from websockets.exceptions import ConnectionClosed  # noqa: PLC0415

    return (OSError, ConnectionClosed)


def resume(
    open_subscription: Callable[[], Iterator[Any]],
    history_after: Callable[[int], Iterable[dict[str, Any]]],
    after: int = 0,
    reconnects: int = 5,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Any]:
    """Subscribe, catch up from ``after``, and stay caught up across dropped connections:
    each event once, in ``seq`` order. ``open_subscription`` is ``subscribe(...,
    announce=True)``; ``history_after(seq)`` reads what the channel kept after ``seq``."""
    merge = Merge(last=after)
    failures = 0
    while True:
        try:
            for event in open_subscription():
                if event is SUBSCRIBED:
                    failures = 0
                    yield from merge.fill(history_after(merge.last))
                    continue
                due, gap = merge.offer(event)
                yield from due
                if gap:
                    yield from merge.fill(history_after(merge.last))
        except _connection_lost() as exc:
            if isinstance(exc, ssl.SSLError):  # a certificate problem: no reconnect helps
                raise EventApiError(f"TLS refused: {exc}") from exc
            failures += 1
            if failures > reconnects:
                raise EventApiError(f"gave up after {reconnects} reconnects: {exc}") from exc
            print(f"connection lost ({exc}); reconnecting", file=sys.stderr)
            sleep(min(30.0, 0.5 * 2**failures))
        else:
            return


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


def _outputs(path: str | None) -> dict[str, Any]:
    """``terraform output -json`` (or make local's ``outputs.json``) as name -> value."""
    if path is None:
        return {}
    raw = json.loads(Path(path).read_text())
    return {name: entry.get("value") for name, entry in raw.items() if isinstance(entry, dict)}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--outputs", help="terraform output -json, saved (make local: dist/local/outputs.json)"
    )
    parser.add_argument("--host", help="realtime_http_dns (default: from --outputs)")
    # No --user, --api-key or --iam: make local's outputs name a local user (`local_users`,
    # with its password), and the client signs that user in.
    who = parser.add_mutually_exclusive_group()
    who.add_argument(
        "--user",
        help="sign in as this user of the platform's pool (default on make local: its local user)",
    )
    # A flag, not an optional value: `--api-key publish ...` must not take "publish" as a key.
    who.add_argument(
        "--api-key",
        action="store_true",
        help="use the API key: realtime_api_key from --outputs, or --key",
    )
    who.add_argument("--iam", action="store_true", help="sign with your AWS credentials")
    parser.add_argument("--key", help="the API key to use (implies --api-key)")
    parser.add_argument(
        "--password",
        help="--user's password; other local processes can read it here: prefer "
        "$PLATFORM_PASSWORD, or be asked for it",
    )
    parser.add_argument("--region", help="AWS region (default: from --outputs, else eu-west-1)")
    commands = parser.add_subparsers(dest="command", required=True)
    publish_cmd = commands.add_parser("publish", help="publish 1-5 events to a channel")
    publish_cmd.add_argument("--channel", required=True, help="e.g. /chat/lobby")
    publish_cmd.add_argument("events", nargs="+", help="JSON objects to publish")
    subscribe_cmd = commands.add_parser("subscribe", help="print each event of a channel")
    subscribe_cmd.add_argument("--channel", required=True, help="e.g. /chat/lobby or /chat/*")
    subscribe_cmd.add_argument("--count", type=int, default=0, help="stop after N events")
    subscribe_cmd.add_argument(
        "--resume", action="store_true", help="catch up on a durable channel (needs --user)"
    )
    subscribe_cmd.add_argument("--after", type=int, default=0, help="the last seq you hold")
    history_cmd = commands.add_parser("history", help="print what a durable channel kept")
    history_cmd.add_argument("--channel", required=True, help="e.g. /chat/lobby")
    history_cmd.add_argument("--after", type=int, default=0, help="only events after this seq")
    commands.add_parser(
        "token", help="print the signed-in user's ID token (for the HTTP API: POST /uploads)"
    )
    presence_cmd = commands.add_parser(
        "presence", help="enter (and stay), leave, list or watch a channel's members (--user)"
    )
    presence_cmd.add_argument("action", choices=["enter", "leave", "list", "watch"])
    presence_cmd.add_argument("--channel", required=True, help="e.g. /chat/lobby")
    presence_cmd.add_argument("--name", help="enter: the name others see")
    presence_cmd.add_argument("--status", help="enter: a status others see")
    presence_cmd.add_argument(
        "--seconds", type=float, help="enter: leave after this long (default: at Ctrl-C)"
    )
    presence_cmd.add_argument("--count", type=int, default=0, help="watch: stop after N events")
    presence_cmd.add_argument("--after", type=int, default=0, help="watch: the last seq you hold")
    return parser


@dataclass
class Session:
    """What a command needs: the Event API's hosts, the caller's auth, the history URL."""

    auth: Auth
    websocket_url: str | None
    history_url: str | None
    token: str | None
    tls: ssl.SSLContext | None  # make local's own CA; None: the system's
    presence_url: str | None = None


def _session(args: argparse.Namespace) -> Session:
    out = _outputs(args.outputs)
    host = args.host or out.get("realtime_http_dns")
    if not host:
        raise EventApiError("no Event API host: give --host or --outputs")
    region = args.region or out.get("aws_region") or "eu-west-1"
    tls = (
        ssl.create_default_context(cafile=out["local_ca_file"])
        if out.get("local_ca_file")
        else None
    )
    token = None
    auth: Auth
    user, password = args.user, args.password
    if not (user or args.iam or args.api_key or args.key):
        user, password = _local_user(out)
    if user:
        password = (
            password
            or os.environ.get("PLATFORM_PASSWORD")
            or getpass.getpass(f"password of {user}: ")
        )
        pool, client_id = out.get("cognito_user_pool_id"), out.get("cognito_user_pool_client_id")
        if not pool or not client_id:
            raise EventApiError("--user needs --outputs with the user pool's ids")
        token = sign_in(pool, client_id, user, password, out.get("aws_endpoint_url"))
        auth = TokenAuth(host, token)
    elif args.iam:
        auth = IamAuth(host, region)
    else:
        key = args.key or out.get("realtime_api_key")
        if not key:
            raise EventApiError("no API key: give --key KEY or --outputs with one")
        auth = ApiKeyAuth(host, key)
    return Session(
        auth,
        out.get("realtime_websocket_url"),
        out.get("channel_history_url"),
        token,
        tls,
        out.get("presence_url"),
    )


def _token_of(session: Session) -> str:
    if session.token is None:
        raise EventApiError("token needs a signed-in user (--user, or make local's)")
    return session.token


def _local_user(out: Mapping[str, Any]) -> tuple[str, str]:
    """make local's own user of the platform's pool (its outputs carry the password)."""
    pool = out.get("cognito_user_pool_id")
    for account in out.get("local_users") or []:
        if account.get("user_pool_id") == pool:
            return str(account["username"]), str(account["password"])
    raise EventApiError(
        "say who you are: --user NAME (a user of the platform's pool), --api-key or --iam "
        "(on make local, --outputs dist/local/outputs.json signs its local user in)"
    )


def user_id_of(token: str) -> str:
    """The user id the platform gives a pool user: the ID token's ``sub``, as is (the token
    is this client's own, from Cognito; the platform checks its signature, not this)."""
    try:
        body = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        return str(claims["sub"])
    except (IndexError, KeyError, ValueError) as exc:
        raise EventApiError("the ID token has no sub") from exc


def _channel(session: Session, channel: str) -> str:
    """``{me}`` in a channel is the signed-in user's id: ``/answers/{me}``."""
    if "{me}" not in channel:
        return channel
    if session.token is None:
        raise EventApiError("{me} in a channel needs a signed-in user (--user)")
    return channel.replace("{me}", user_id_of(session.token))


def _history_of(session: Session, channel: str) -> Callable[[int], Iterator[dict[str, Any]]]:
    url, token = session.history_url, session.token
    if url is None or token is None:
        raise EventApiError("history needs --user and --outputs with channel_history_url")
    return lambda after: read_history(url, channel, token, after, session.tls)


def _presence(session: Session, args: argparse.Namespace) -> int:
    url, token = session.presence_url, session.token
    if url is None or token is None:
        raise EventApiError("presence needs --user and --outputs with presence_url")
    if args.action == "list":
        print(json.dumps(list_presence(url, args.channel, token, session.tls), indent=2))
        return 0
    if args.action == "leave":
        print(json.dumps(change_presence(url, args.channel, token, "leave", tls=session.tls)))
        return 0
    if args.action == "watch":
        channel = "/presence" + args.channel
        stream = resume(_live(session, channel), _history_of(session, channel), after=args.after)
        for n, event in enumerate(stream, start=1):
            print(json.dumps(event), flush=True)
            if n == args.count:
                break
        return 0
    data = {k: v for k, v in {"name": args.name, "status": args.status}.items() if v}
    try:
        stay_present(
            url,
            args.channel,
            token,
            data,
            seconds=args.seconds,
            tls=session.tls,
            entered=lambda answer: print(json.dumps(answer), flush=True),
        )
    except KeyboardInterrupt:  # left in stay_present's finally
        print("left", file=sys.stderr)
    return 0


def _live(session: Session, channel: str) -> Callable[[], Iterator[Any]]:
    def live() -> Iterator[Any]:
        return subscribe(
            session.auth,
            channel,
            session.websocket_url,
            timeout=600,
            announce=True,
            tls=session.tls,
        )

    return live


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        session = _session(args)
        if args.command == "token":
            print(_token_of(session))
            return 0
        args.channel = _channel(session, args.channel)
        if args.command == "presence":
            return _presence(session, args)
        if args.command == "publish":
            events = [json.loads(e) for e in args.events]
            answer = publish(session.auth, args.channel, events, tls=session.tls)
            print(json.dumps(answer, indent=2))
            for repeat in answer.get("failed") or []:
                note = str(repeat["errorMessage"]).removeprefix(REPEAT)
                print(f"event {repeat.get('index')}: kept before: {note}", file=sys.stderr)
            return 0
        if args.command == "history":
            for item in _history_of(session, args.channel)(args.after):
                print(json.dumps(item), flush=True)
            return 0
        live = _live(session, args.channel)
        if args.resume:
            stream = resume(live, _history_of(session, args.channel), after=args.after)
        else:
            stream = (e for e in live() if e is not SUBSCRIBED)
        for n, event in enumerate(stream, start=1):
            print(json.dumps(event), flush=True)
            if n == args.count:
                break
    except EventApiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
