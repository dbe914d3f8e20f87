"""examples/realtime_client against a fake AppSync Events endpoint on 127.0.0.1."""

from __future__ import annotations

import base64
import importlib.util
import itertools
import json
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.unit.fake_appsync import (
    API_KEY,
    CREDENTIALS,
    HTTP_HOST,
    REGION,
    FakeAppSync,
    fake_appsync,
)


def _load_client() -> ModuleType:
    path = ROOT / "examples" / "realtime_client" / "client.py"
    spec = importlib.util.spec_from_file_location("realtime_client", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["realtime_client"] = module
    spec.loader.exec_module(module)
    return module


client = _load_client()
AUTHS = {
    "api_key": client.ApiKeyAuth(HTTP_HOST, API_KEY),
    "iam": client.IamAuth(HTTP_HOST, REGION, CREDENTIALS),
}


@pytest.fixture
def appsync() -> Iterator[FakeAppSync]:
    with fake_appsync() as server:
        yield server


@pytest.mark.parametrize("auth", sorted(AUTHS))
def test_publish_sends_json_strings_authorised(appsync: FakeAppSync, auth: str) -> None:
    answer = client.publish(
        AUTHS[auth], "/chat/lobby", [{"text": "hi"}, {"text": "again"}], base_url=appsync.http_url
    )
    assert [s["index"] for s in answer["successful"]] == [0, 1]
    assert appsync.published == [
        {"channel": "/chat/lobby", "events": ['{"text": "hi"}', '{"text": "again"}']}
    ]


def test_a_wrong_api_key_is_reported(appsync: FakeAppSync) -> None:
    auth = client.ApiKeyAuth(HTTP_HOST, "da2-wrong")
    with pytest.raises(client.EventApiError, match=r"refused: 401 .*wrong API key"):
        client.publish(auth, "/chat/lobby", [{"text": "hi"}], base_url=appsync.http_url)


def test_a_signature_for_another_body_is_refused(appsync: FakeAppSync) -> None:
    class Replayed:
        def headers(self, body: str) -> dict[str, str]:
            signed: dict[str, str] = AUTHS["iam"].headers(
                '{"channel": "/chat/other", "events": []}'
            )
            return signed

    with pytest.raises(client.EventApiError, match="signature does not match the body"):
        client.publish(Replayed(), "/chat/lobby", [{"text": "hi"}], base_url=appsync.http_url)


def test_per_event_failures_name_each_event(appsync: FakeAppSync) -> None:
    appsync.failing_indexes = {1}
    with pytest.raises(client.EventApiError, match=r"1 event\(s\) failed: event 1: InvalidPayload"):
        client.publish(
            AUTHS["api_key"], "/chat/lobby", [{"text": "a"}, {}], base_url=appsync.http_url
        )


def test_a_repeat_of_a_kept_message_id_is_no_failure(appsync: FakeAppSync) -> None:
    appsync.failing_indexes = {0}
    appsync.failure_message = "AlreadyPublishedError - message id m-1 was published as seq 4"
    answer = client.publish(
        AUTHS["api_key"],
        "/chat/lobby",
        [{"text": "a", "clientMessageId": "m-1"}],
        base_url=appsync.http_url,
    )
    assert [f["index"] for f in answer["failed"]] == [0]


def test_more_than_five_events_are_refused_before_sending(appsync: FakeAppSync) -> None:
    with pytest.raises(ValueError, match="publish 1 to 5 events at a time, not 6"):
        client.publish(AUTHS["api_key"], "/chat/x", [{}] * 6, base_url=appsync.http_url)
    assert appsync.published == []


@pytest.mark.parametrize("auth", sorted(AUTHS))
def test_subscribe_receives_events(appsync: FakeAppSync, auth: str) -> None:
    events = list(
        itertools.islice(client.subscribe(AUTHS[auth], "/reports/u-1", url=appsync.ws_url), 3)
    )
    assert events == [{"n": n, "channel": "/reports/u-1"} for n in range(3)]
    assert appsync.session_over.wait(timeout=10)  # the server thread has seen the unsubscribe
    subscribe_message = appsync.subscriptions[0]
    assert subscribe_message["type"] == "subscribe"
    assert subscribe_message["channel"] == "/reports/u-1"
    assert appsync.subscriptions[-1] == {"type": "unsubscribe", "id": subscribe_message["id"]}


def test_a_refused_subscription_raises_with_the_reason(appsync: FakeAppSync) -> None:
    appsync.refused_channels = {"/reports/someone-else"}
    with pytest.raises(
        client.EventApiError, match="expected subscribe_success, got subscribe_error"
    ):
        next(client.subscribe(AUTHS["iam"], "/reports/someone-else", url=appsync.ws_url))


def test_realtime_host_is_derived_from_the_http_host() -> None:
    assert client.realtime_host(HTTP_HOST) == (
        "abcdefghijklmnopqrstuvwxyz.appsync-realtime-api.eu-west-1.amazonaws.com"
    )


def test_header_subprotocol_is_base64url_json_without_padding() -> None:
    encoded = client._header_subprotocol({"host": HTTP_HOST, "x-api-key": API_KEY})
    assert encoded.startswith("header-")
    assert "=" not in encoded
    assert "+" not in encoded
    assert "/" not in encoded
    padded = encoded[7:] + "=" * (-len(encoded[7:]) % 4)
    assert json.loads(base64.urlsafe_b64decode(padded)) == {"host": HTTP_HOST, "x-api-key": API_KEY}


# --- durable channels: merge, resume --------------------------------------------------------


def kept(seq: int, text: str = "") -> dict[str, Any]:
    """An item as the history API answers it."""
    payload = {"text": text or f"m{seq}", "seq": seq, "id": f"e-{seq}"}
    return {"id": payload["id"], "seq": seq, "publishedAt": "t", "payload": payload}


def test_merge_passes_events_in_order_and_drops_repeats() -> None:
    merge = client.Merge()
    assert merge.offer(kept(1)["payload"]) == ([kept(1)["payload"]], False)
    assert merge.offer(kept(1)["payload"]) == ([], False)
    assert merge.offer({"text": "no seq"}) == ([{"text": "no seq"}], False)
    assert merge.last == 1


def test_a_jump_in_seq_holds_the_event_until_history_fills_the_gap() -> None:
    merge = client.Merge(last=1)
    assert merge.offer(kept(4)["payload"]) == ([], True)
    due = merge.fill([kept(2), kept(3), kept(4)])
    assert [e["seq"] for e in due] == [2, 3, 4]
    assert merge.fill([kept(4)]) == []


def test_a_gap_history_cannot_fill_is_released_in_order() -> None:
    merge = client.Merge(last=1)
    merge.offer(kept(5)["payload"])
    # seq 2 was never used (a write that failed); history holds 3 and 4
    assert [e["seq"] for e in merge.fill([kept(3), kept(4)])] == [3, 4, 5]
    assert merge.last == 5


def test_resume_recovers_what_was_published_while_the_connection_was_down() -> None:
    from websockets.exceptions import ConnectionClosedError  # noqa: PLC0415

    store = [kept(n) for n in range(1, 9)]
    connections = iter(
        [
            # subscribed, then live 2 and 3 arrive (1 was published before), then it drops
            [client.SUBSCRIBED, kept(2)["payload"], kept(3)["payload"], ConnectionClosedError],
            # 4-7 were published meanwhile; after reconnecting, 8 arrives live
            [client.SUBSCRIBED, kept(8)["payload"]],
        ]
    )

    def open_subscription() -> Iterator[Any]:
        for item in next(connections):
            if item is ConnectionClosedError:
                raise ConnectionClosedError(None, None)
            yield item

    sleeps: list[float] = []
    stream = client.resume(
        open_subscription,
        lambda after: [k for k in store if k["seq"] > after],
        after=0,
        sleep=sleeps.append,
    )
    assert [e["seq"] for e in stream] == list(range(1, 9))
    assert sleeps == [1.0]


def test_resume_gives_up_after_its_reconnects() -> None:
    def never() -> Iterator[Any]:
        raise ConnectionRefusedError("down")
        yield  # pragma: no cover

    with pytest.raises(client.EventApiError, match="gave up after 2 reconnects"):
        list(client.resume(never, lambda after: [], reconnects=2, sleep=lambda s: None))


def test_the_cli_names_what_is_missing(capsys: pytest.CaptureFixture[str]) -> None:
    assert client.main(["--key", "k", "publish", "--channel", "/chat/x", "{}"]) == 1
    assert "no Event API host" in capsys.readouterr().err
    code = client.main(
        ["--host", "h", "--key", "k", "history", "--channel", "/chat/x", "--after", "1"]
    )
    assert code == 1
    assert "history needs --user" in capsys.readouterr().err
    code = client.main(["--host", "h", "--key", "k", "presence", "list", "--channel", "/c/x"])
    assert code == 1
    assert "presence needs --user and --outputs with presence_url" in capsys.readouterr().err

    code = client.main(["--host", "h", "--key", "k", "history", "--channel", "/answers/{me}"])
    assert code == 1
    assert "{me} in a channel needs a signed-in user" in capsys.readouterr().err
    code = client.main(["--host", "h", "publish", "--channel", "/chat/x", "{}"])
    assert code == 1
    assert "say who you are: --user NAME" in capsys.readouterr().err


def _token(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part(claims)}.sig"


def test_without_a_caller_make_locals_user_of_the_platforms_pool_signs_in(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = tmp_path / "outputs.json"
    users = [
        {"username": "other@x", "password": "p0", "user_id": "o", "user_pool_id": "eu-west-1_b"},
        {"username": "me@x", "password": "p1", "user_id": "u-1", "user_pool_id": "eu-west-1_a"},
    ]
    values = {
        "realtime_http_dns": "h",
        "cognito_user_pool_id": "eu-west-1_a",
        "cognito_user_pool_client_id": "c",
        "local_users": users,
    }
    outputs.write_text(json.dumps({k: {"value": v} for k, v in values.items()}))
    signed: list[tuple[str, ...]] = []
    # a sub of 44 characters: its claims need the base64 padding a JWT leaves out
    token = _token({"sub": "u-" + "1" * 42})

    def sign_in(pool: str, client_id: str, user: str, password: str, endpoint: Any) -> str:
        signed.append((pool, client_id, user, password))
        return token

    monkeypatch.setattr(client, "sign_in", sign_in)
    args = client._parser().parse_args(["--outputs", str(outputs), "history", "--channel", "/x"])
    session = client._session(args)
    assert signed == [("eu-west-1_a", "c", "me@x", "p1")]
    assert client._channel(session, "/answers/{me}") == "/answers/u-" + "1" * 42
    assert client._channel(session, "/chat/lobby") == "/chat/lobby"
    # --user and --password name the user (the outputs' local user is not used)
    args = client._parser().parse_args(
        [
            "--outputs",
            str(outputs),
            "--user",
            "jo@x",
            "--password",
            "pw",
            "history",
            "--channel",
            "/x",
        ]
    )
    client._session(args)
    assert signed[-1] == ("eu-west-1_a", "c", "jo@x", "pw")


def test_token_prints_the_signed_in_users_id_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setattr(client, "sign_in", lambda *args: "header.claims.signature")
    outputs = tmp_path / "outputs.json"
    values = {
        "realtime_http_dns": "h",
        "cognito_user_pool_id": "eu-west-1_a",
        "cognito_user_pool_client_id": "c",
    }
    outputs.write_text(json.dumps({k: {"value": v} for k, v in values.items()}))
    code = client.main(["--outputs", str(outputs), "--user", "u", "--password", "p", "token"])
    assert (code, capsys.readouterr().out) == (0, "header.claims.signature\n")
    assert client.main(["--host", "h", "--key", "k", "token"]) == 1
    assert "token needs a signed-in user" in capsys.readouterr().err


def test_api_key_is_a_flag_so_the_command_after_it_is_a_command() -> None:
    args = client._parser().parse_args(["--api-key", "publish", "--channel", "/c/x", "{}"])
    assert (args.api_key, args.key, args.command) == (True, None, "publish")


def test_a_token_without_a_sub_names_no_user() -> None:
    with pytest.raises(client.EventApiError, match="no sub"):
        client.user_id_of(_token({"email": "a@b"}))
    with pytest.raises(client.EventApiError, match="no sub"):
        client.user_id_of("not-a-jwt")


# --- presence ------------------------------------------------------------------------------


@dataclass
class FakePresence:
    """``POST``/``GET <url>/<channel>`` as the platform's presence API answers them; a
    heartbeat of someone not present is 409, ``fail`` answers the next requests 503."""

    url: str = ""
    calls: list[tuple[str, str, Any]] = field(default_factory=list)
    present: set[str] = field(default_factory=set)
    fail: int = 0


@pytest.fixture
def presence_api() -> Iterator[FakePresence]:
    fake = FakePresence()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            fake.calls.append(("GET", self.path, None))
            members = [{"id": m, "data": {}, "enteredAt": "t"} for m in sorted(fake.present)]
            self._answer(200, {"occupancy": len(members), "members": members})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            fake.calls.append(("POST", self.path, body))
            if self.headers["Authorization"] != "token-1":
                self._answer(401, {"message": "Unauthorized"})
                return
            if fake.fail:
                fake.fail -= 1
                self._answer(503, {"message": "busy"})
                return
            action = body["action"]
            if action == "heartbeat" and self.path not in fake.present:
                self._answer(409, {"message": "not present: enter again"})
                return
            if action == "enter":
                fake.present.add(self.path)
            if action == "leave":
                fake.present.discard(self.path)
            self._answer(200, {"action": action, "heartbeatSeconds": 30})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/presence"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class Clock:
    """time.monotonic and time.sleep for stay_present, without waiting; ``during`` runs at
    each sleep (the world changing between heartbeats)."""

    def __init__(self, during: Callable[[int], None] = lambda n: None) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self.during = during

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        self.during(len(self.sleeps))


def test_staying_present_beats_every_interval_and_leaves_at_the_end(
    presence_api: FakePresence,
) -> None:
    clock = Clock()
    client.stay_present(
        presence_api.url,
        "/chat/lobby",
        "token-1",
        {"name": "Jane"},
        seconds=75,
        sleep=clock.sleep,
        clock=lambda: clock.now,
    )
    actions = [(c[0], c[2]["action"]) for c in presence_api.calls]
    assert actions == [
        ("POST", "enter"),
        ("POST", "heartbeat"),
        ("POST", "heartbeat"),
        ("POST", "leave"),
    ]
    assert presence_api.calls[0][1:] == (
        "/presence/chat/lobby",
        {"action": "enter", "data": {"name": "Jane"}},
    )
    assert clock.sleeps == [30, 30, 15]  # the interval the platform named, then what is left
    assert presence_api.present == set()


def test_a_forgotten_member_enters_again_and_a_failed_beat_is_not_fatal(
    presence_api: FakePresence,
) -> None:
    def world(n: int) -> None:
        if n == 1:  # the machine slept: the platform let the member go
            presence_api.present.clear()
        if n == 2:  # the platform is busy for one beat
            presence_api.fail = 1

    clock = Clock(world)
    entered: list[dict[str, Any]] = []
    client.stay_present(
        presence_api.url,
        "/chat/lobby",
        "token-1",
        seconds=90,
        sleep=clock.sleep,
        clock=lambda: clock.now,
        entered=entered.append,
    )
    actions = [c[2]["action"] for c in presence_api.calls]
    assert actions == ["enter", "heartbeat", "enter", "heartbeat", "leave"]
    assert len(entered) == 2


def test_leaving_happens_even_when_interrupted(presence_api: FakePresence) -> None:
    def interrupt(n: int) -> None:
        raise KeyboardInterrupt

    clock = Clock(interrupt)
    with pytest.raises(KeyboardInterrupt):
        client.stay_present(
            presence_api.url, "/chat/lobby", "token-1", sleep=clock.sleep, clock=lambda: clock.now
        )
    assert [c[2]["action"] for c in presence_api.calls] == ["enter", "leave"]


def test_presence_refusals_carry_the_status_and_the_reason(presence_api: FakePresence) -> None:
    with pytest.raises(client.RefusedError, match="presence enter on /chat/x refused: 401") as exc:
        client.change_presence(presence_api.url, "/chat/x", "someone-else", "enter")
    assert exc.value.status == 401
    presence_api.present.add("/presence/chat/x")
    listed = client.list_presence(presence_api.url, "/chat/x", "token-1")
    assert listed["occupancy"] == 1
