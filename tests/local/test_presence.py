"""Presence over the network against the local platform: two people see each other enter,
update and leave on /presence/<channel> in seq order; a member whose heartbeats stop leaves
once, within two heartbeat intervals plus the sweep's; and the refusals (no token, another
person's private channel, data too long) say why. A copy of the root with a 5 s heartbeat."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from local_runtime.cognito.pools import create_local_user
from tests.local.appsync import Events, Socket
from tests.local.platform import LocalPlatform
from tests.local.roots import HEARTBEAT
from tests.local.test_walkthroughs import block_named, checkout_of, run_as_written

pytestmark = pytest.mark.local


@pytest.fixture(scope="module")
def present(plans: Path, tuned_root: Path) -> Iterator[LocalPlatform]:
    local = LocalPlatform(plans / "presence", root=tuned_root, args=["--ka-interval", "1"])
    local.start()
    try:
        yield local
    finally:
        assert local.stop() == 0, local.console_text()


@dataclass(frozen=True)
class Person:
    user_id: str
    token: str

    def auth(self, events: Events) -> dict[str, str]:
        return {"host": events.host, "Authorization": self.token}


def person(platform: LocalPlatform, name: str) -> Person:
    cognito = platform.client("cognito-idp")
    account = create_local_user(
        cognito,
        platform.outputs["cognito_user_pool_id"],
        f"{name}-{uuid.uuid4().hex[:6]}@example.com",
    )
    tokens = cognito.initiate_auth(
        ClientId=platform.outputs["cognito_user_pool_client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": account["username"], "PASSWORD": account["password"]},
    )["AuthenticationResult"]
    return Person(account["user_id"], tokens["IdToken"])


def call(
    platform: LocalPlatform, method: str, channel: str, who: Person | None, body: Any = None
) -> tuple[int, dict[str, Any]]:
    """``GET`` or ``POST <presence_url><channel>`` as ``who`` (no token when None)."""
    request = urllib.request.Request(  # noqa: S310 - the local HTTP API
        platform.outputs["presence_url"] + channel,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"content-type": "application/json"}
        | ({"Authorization": who.token} if who else {}),
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def watch(ws: Socket, events: Events, channel: str, who: Person) -> None:
    ws.init()
    assert ws.subscribe("p", "/presence" + channel, who.auth(events))["type"] == "subscribe_success"


def test_two_people_see_each_other_in_seq_order(present: LocalPlatform) -> None:
    events = Events(present)
    alice, bob = person(present, "alice"), person(present, "bob")
    room = f"/chat/p-{uuid.uuid4().hex[:8]}"
    with events.socket(auth=alice.auth(events)) as ws:
        watch(ws, events, room, alice)
        assert call(present, "POST", room, alice, {"action": "enter"})[0] == 200
        status, answer = call(
            present, "POST", room, bob, {"action": "enter", "data": {"name": "Bob"}}
        )
        assert (status, answer["announced"], answer["heartbeatSeconds"]) == (
            200,
            "enter",
            HEARTBEAT,
        )
        status, listed = call(present, "GET", room, bob)
        assert status == 200
        assert listed["occupancy"] == 2
        assert {m["id"] for m in listed["members"]} == {alice.user_id, bob.user_id}
        call(
            present,
            "POST",
            room,
            bob,
            {"action": "update", "data": {"name": "Bob", "status": "typing"}},
        )
        call(present, "POST", room, bob, {"action": "heartbeat"})  # announces nothing
        call(present, "POST", room, bob, {"action": "leave"})
        call(present, "POST", room, bob, {"action": "enter", "data": {"name": "Bob"}})
        seen = ws.events("p", 5, timeout=20)
    assert [(e["action"], e["member"]["id"]) for e in seen] == [
        ("enter", alice.user_id),
        ("enter", bob.user_id),
        ("update", bob.user_id),
        ("leave", bob.user_id),
        ("enter", bob.user_id),
    ]
    assert [e["seq"] for e in seen] == [1, 2, 3, 4, 5]  # a leave, then the re-enter, in order
    assert seen[2]["member"]["data"] == {"name": "Bob", "status": "typing"}
    assert {e["channel"] for e in seen} == {room}


def test_a_member_whose_heartbeats_stop_leaves_once_within_the_bound(
    present: LocalPlatform,
) -> None:
    events = Events(present)
    alice, bob = person(present, "alice"), person(present, "bob")
    room = f"/chat/p-{uuid.uuid4().hex[:8]}"
    with events.socket(auth=alice.auth(events)) as ws:
        watch(ws, events, room, alice)
        call(present, "POST", room, alice, {"action": "enter"})
        call(present, "POST", room, bob, {"action": "enter"})
        entered = time.monotonic()
        assert len(ws.events("p", 2)) == 2
        # Bob's client is gone (no more heartbeats); Alice's keeps beating.
        bound = 2 * HEARTBEAT + 5  # two intervals, the sweep (0.6 s here), the stream: slack
        leave: dict[str, Any] | None = None
        while leave is None and time.monotonic() - entered < bound:
            assert call(present, "POST", room, alice, {"action": "heartbeat"})[0] == 200
            try:
                leave = json.loads(ws.next("data", timeout=2, id="p")["event"])
            except AssertionError:
                continue
        assert leave is not None, f"no leave within {bound} s"
        assert (leave["action"], leave["member"]["id"]) == ("leave", bob.user_id)
        assert time.monotonic() - entered >= 2 * HEARTBEAT - 1  # not before it expired
        # Once: the sweeps that ran since announced nothing more.
        time.sleep(2)
        with pytest.raises(AssertionError, match="no"):
            ws.next("data", timeout=1, id="p")
    status, listed = call(present, "GET", room, alice)
    assert (status, [m["id"] for m in listed["members"]]) == (200, [alice.user_id])


def test_presence_refuses_what_it_must_and_says_why(present: LocalPlatform) -> None:
    events = Events(present)
    alice, bob = person(present, "alice"), person(present, "bob")
    private = f"/answers/{alice.user_id}"
    assert call(present, "POST", "/chat/lobby", None, {"action": "enter"}) == (
        401,
        {"message": "Unauthorized"},
    )
    status, answer = call(present, "POST", private, bob, {"action": "enter"})
    assert (status, answer["message"]) == (
        403,
        f"{private} is not your channel; use /answers/{bob.user_id}",
    )
    assert call(present, "GET", private, bob)[0] == 403
    assert call(present, "POST", private, alice, {"action": "enter"})[0] == 200
    status, answer = call(
        present, "POST", "/chat/lobby", alice, {"action": "enter", "data": {"name": "x" * 65}}
    )
    assert (status, answer["message"]) == (
        400,
        "presence data refused: data.name: String should have at most 64 characters",
    )
    assert call(present, "POST", "/reports/x", alice, {"action": "enter"})[0] == 404
    with events.socket(auth=events.key()) as ws:
        ws.init()
        refused = ws.subscribe("p", "/presence" + private, events.key())
        assert refused["type"] == "subscribe_error"
    with events.socket(auth=bob.auth(events)) as ws:
        ws.init()
        assert (
            ws.subscribe("p", "/presence" + private, bob.auth(events))["type"] == "subscribe_error"
        )


def test_personal_data_is_masked_before_anyone_sees_it(present: LocalPlatform) -> None:
    alice = person(present, "alice")
    room = f"/chat/p-{uuid.uuid4().hex[:8]}"
    data = {"name": "alice@example.com", "status": "call +44 20 7946 0018"}
    assert call(present, "POST", room, alice, {"action": "enter", "data": data})[0] == 200
    (member,) = call(present, "GET", room, alice)[1]["members"]
    assert member["data"] == {"name": "a***@example.com", "status": "call ***18"}


def test_the_walkthrough_of_the_example_client_runs_as_written(
    present: LocalPlatform, tmp_path: Path
) -> None:
    """docs/realtime.md's presence walkthrough, as written, in bash: the local user's client
    enters and beats; killed, it leaves once (seq 2) and the channel is empty."""
    block = block_named("realtime-presence")
    started = time.monotonic()
    run_as_written(block.path, [block], checkout_of(present, tmp_path / "checkout"))
    # The page waits 12 s, past two heartbeats here, before it lists: only the client's own
    # beats keep it there. Its last beat came at most one interval before the kill; two
    # intervals, the sweep's run and the stream, plus four sign-ins.
    assert 2 * HEARTBEAT < 12
    took = time.monotonic() - started
    assert took < 12 + 2 * HEARTBEAT + 10 + 30, f"the walkthrough took {took:.1f} s"
