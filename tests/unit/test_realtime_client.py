"""examples/realtime_client against a fake AppSync Events endpoint on 127.0.0.1."""

from __future__ import annotations

import base64
import importlib.util
import itertools
import json
import sys
from collections.abc import Iterator
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
    assert client.main(["--api-key", "k", "publish", "--channel", "/chat/x", "{}"]) == 1
    assert "no Event API host" in capsys.readouterr().err
    code = client.main(
        ["--host", "h", "--api-key", "k", "history", "--channel", "/chat/x", "--after", "1"]
    )
    assert code == 1
    assert "history needs --user" in capsys.readouterr().err
