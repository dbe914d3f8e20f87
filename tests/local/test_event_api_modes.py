"""The Event API's Lambda authoriser and EVENT handlers, on a copy of the root that turns them
on: an authoriser function (tests/local/handlers) as a sign-in mode, and a namespace whose
handler is invoked asynchronously."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.local.appsync import Events
from tests.local.platform import LocalPlatform
from tests.local.roots import HANDLERS

pytestmark = pytest.mark.local


@pytest.fixture(scope="module")
def moded(plans: Path, auth_root: Path) -> Iterator[LocalPlatform]:
    local = LocalPlatform(plans / "modes", root=auth_root, args=["--extra-code", str(HANDLERS)])
    local.start()
    try:
        yield local
    finally:
        assert local.stop() == 0, local.console_text()


def test_the_lambda_authoriser_decides_who_connects_and_as_whom(moded: LocalPlatform) -> None:
    events = Events(moded)
    allowed = {"Authorization": "allow:lam-user", "host": events.host}
    with events.socket(auth=allowed) as ws:
        ws.init()
        # The authoriser's users have ids of their own (lambda-<sub>), never a pool user's.
        own = ws.subscribe(str(uuid.uuid4()), "/reports/lambda-lam-user", allowed)
        assert own["type"] == "subscribe_success"
        for other in ("/reports/someone-else", "/reports/lam-user"):
            refused = ws.subscribe(str(uuid.uuid4()), other, allowed)
            assert refused["type"] == "subscribe_error"
    denied = {"Authorization": "deny", "host": events.host}
    with events.socket(auth=denied) as ws:
        assert ws.next("connection_error")["errors"][0]["errorType"] == "UnauthorizedException"
    assert "platform-local-test-authorizer" in moded.console_text()


def test_an_event_handler_runs_asynchronously_and_changes_nothing(moded: LocalPlatform) -> None:
    events = Events(moded)
    channel = f"/fire/f{uuid.uuid4().hex[:6]}"
    connect = events.iam("{}")
    with events.socket(auth=connect) as ws:
        ws.init()
        sub = str(uuid.uuid4())
        subscribed = ws.subscribe(sub, channel, events.iam(json.dumps({"channel": channel})))
        assert subscribed["type"] == "subscribe_success"
        # The channels handler refuses /fire paths; invoked as EVENT, it cannot stop them.
        payload = [json.dumps({"anything": "goes"})]
        body = json.dumps({"channel": channel, "events": payload})
        status, answer = events.http_publish(channel, [{"anything": "goes"}], events.iam(body))
        assert status == 200
        assert [s["index"] for s in answer["successful"]] == [0]
        (received,) = ws.events(sub, 1)
        assert received == {"anything": "goes"}
    moded.settle()
    # ... and the handler did run, asynchronously, on the published event.
    assert f"pub {channel[:4]}" in moded.console_text()


def test_an_expired_api_key_is_refused(moded: LocalPlatform) -> None:
    events = Events(moded)  # this root's key expired on 2026-01-01
    with events.socket() as ws:
        assert ws.next("connection_error")["errors"][0]["errorType"] == "UnauthorizedException"
    status, _ = events.http_publish("/chat/x", [{"text": "hi"}])
    assert status == 401


def test_an_authoriser_answer_is_kept_for_its_ttl(moded: LocalPlatform) -> None:
    events = Events(moded)
    name = "platform-local-test-authorizer"
    cached = {"Authorization": "cache:ttl-user", "host": events.host}

    def calls() -> int:
        count: int = moded.status()["functions"][name]["invocations"]
        return count

    with events.socket(auth=cached) as ws:
        ws.init()
    before = calls()
    for _ in range(3):
        with events.socket(auth=cached) as ws:
            ws.init()
    assert calls() == before  # ttlOverride 300: the authoriser was not asked again


def test_an_event_made_too_large_by_its_handler_is_a_broadcast_error(
    moded: LocalPlatform,
) -> None:
    events = Events(moded)
    channel = f"/big/b{uuid.uuid4().hex[:6]}"
    connect = events.iam("{}")
    with events.socket(auth=connect) as ws:
        ws.init()
        sub = str(uuid.uuid4())
        ws.subscribe(sub, channel, events.iam(json.dumps({"channel": channel})))
        payload = [json.dumps({"small": True})]
        body = json.dumps({"channel": channel, "events": payload})
        status, _ = events.http_publish(channel, [{"small": True}], events.iam(body))
        assert status == 200
        error = ws.next("broadcast_error", id=sub)
        assert error["errors"][0] == {
            "errorType": "MessageProcessingError",
            "message": "There was an error processing the message",
        }
