"""Durable channels against the local platform, over the network: every accepted event is
numbered per channel, kept before it is delivered, recoverable after a dropped connection
(GET <channel_history_url>/...), and a publisher's clientMessageId is accepted once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.local.appsync import Events
from tests.local.platform import LocalPlatform


@pytest.fixture(scope="module")
def events(platform: LocalPlatform) -> Events:
    return Events(platform)


def room() -> str:
    return f"/chat/durable-{uuid.uuid4().hex[:8]}"


def history(
    platform: LocalPlatform, channel: str, token: str | None = None, **query: str
) -> tuple[int, dict[str, Any]]:
    """GET <channel_history_url><channel>?<query> as the local user (or with ``token``)."""
    url = platform.outputs["channel_history_url"] + channel
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    auth = platform.token() if token is None else token
    request = urllib.request.Request(url, headers={"Authorization": auth} if auth else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def all_history(platform: LocalPlatform, channel: str, after: int = 0) -> list[dict[str, Any]]:
    """Every kept event after ``after``, page by page (bounded)."""
    kept: list[dict[str, Any]] = []
    status, page = history(platform, channel, after=str(after), limit="100")
    for _ in range(50):
        assert status == 200, page
        kept += page["events"]
        if page["next"] is None:
            return kept
        status, page = history(platform, channel, cursor=page["next"], limit="100")
    raise AssertionError(f"{channel}: more than 50 pages")


def test_a_subscriber_that_was_away_catches_up_on_exactly_what_it_missed(
    platform: LocalPlatform, events: Events
) -> None:
    channel = room()
    with events.socket() as ws:
        ws.init()
        ws.subscribe("live", channel, events.key())
        assert events.http_publish(channel, [{"text": "before"}])[0] == 200
        (held,) = ws.events("live", 1)
    # the connection is gone: 50 events are published meanwhile, 5 per request
    for batch in range(10):
        status, answer = events.http_publish(
            channel, [{"text": f"missed {batch * 5 + n}"} for n in range(5)]
        )
        assert (status, answer["failed"]) == (200, [])
    missed = all_history(platform, channel, after=held["seq"])
    assert [e["payload"]["text"] for e in missed] == [f"missed {n}" for n in range(50)]
    assert [e["seq"] for e in missed] == list(range(held["seq"] + 1, held["seq"] + 51))
    assert len({e["id"] for e in missed}) == 50
    assert all(e["payload"]["seq"] == e["seq"] and e["payload"]["id"] == e["id"] for e in missed)


def test_concurrent_publishers_get_distinct_increasing_seqs_and_all_is_kept(
    platform: LocalPlatform, events: Events
) -> None:
    channel = room()
    failures: list[Any] = []

    def publisher(n: int) -> None:
        for k in range(50):
            batch = [{"text": f"p{n} e{k * 5 + i}"} for i in range(5)]
            status, answer = events.http_publish(channel, batch)
            if status != 200 or answer["failed"]:
                failures.append((status, answer))

    with events.socket() as ws:
        ws.init()
        ws.subscribe("all", channel, events.key())
        threads = [threading.Thread(target=publisher, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
        assert not any(t.is_alive() for t in threads), "publishers did not finish in 180 s"
        assert failures == []
        delivered = ws.events("all", 1000, timeout=30)
    seqs = [e["seq"] for e in delivered]
    assert sorted(seqs) == list(range(1, 1001))
    # per publisher, its events were numbered in the order it published them
    for n in range(4):
        mine = [e for e in delivered if e["text"].startswith(f"p{n} ")]
        assert [e["text"] for e in sorted(mine, key=lambda e: e["seq"])] == [
            f"p{n} e{k}" for k in range(250)
        ]
    kept = all_history(platform, channel)
    assert [e["seq"] for e in kept] == list(range(1, 1001))
    assert {e["id"] for e in kept} == {e["id"] for e in delivered}


def test_a_repeated_client_message_id_is_kept_and_delivered_once(
    platform: LocalPlatform, events: Events
) -> None:
    channel = room()
    message = {"text": "only once", "clientMessageId": f"m-{uuid.uuid4().hex[:8]}"}
    with events.socket() as ws:
        ws.init()
        ws.subscribe("once", channel, events.key())
        status, first = events.http_publish(channel, [message])
        assert (status, first["failed"]) == (200, [])
        status, again = events.http_publish(channel, [message])
        assert (status, again["successful"]) == (200, [])
        (delivered,) = ws.events("once", 1)
        (repeat,) = again["failed"]
        assert repeat["errorMessage"] == (
            f"AlreadyPublishedError - message id {message['clientMessageId']} was published "
            f"as seq {delivered['seq']} (event id {delivered['id']})"
        )
        # nothing else arrives
        events.http_publish(channel, [{"text": "marker"}])
        assert ws.events("once", 1)[0]["text"] == "marker"
    assert [e["payload"]["text"] for e in all_history(platform, channel)] == ["only once", "marker"]


def test_a_refused_item_is_neither_delivered_nor_kept(
    platform: LocalPlatform, events: Events
) -> None:
    channel = room()
    status, answer = events.http_publish(channel, [{"text": "fine"}, {"text": ""}, {"txt": "x"}])
    assert status == 200
    assert [s["index"] for s in answer["successful"]] == [0]
    assert [f["index"] for f in answer["failed"]] == [1, 2]
    assert [e["payload"]["text"] for e in all_history(platform, channel)] == ["fine"]


def test_history_is_read_as_a_subscription_is_authorised(
    platform: LocalPlatform, events: Events
) -> None:
    me = events.user_id
    # report delivery keeps the user's reports: the user reads them back
    answer = {"questionnaireId": "account-security.v1", "questionId": "mfa", "value": True}
    status, published = events.http_publish(f"/answers/{me}", [answer], events.user())
    assert (status, published["failed"]) == (200, [])
    platform.settle()
    status, mine = history(platform, f"/reports/{me}")
    assert status == 200
    assert mine["events"], "the report was not kept"
    assert mine["events"][-1]["payload"]["userId"] == me
    # never another user's private channel, whatever token the caller holds
    tokens = platform.client("cognito-idp").initiate_auth(
        ClientId=platform.outputs["cognito_user_pool_client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": platform.outputs["local_users"][0]["username"],
            "PASSWORD": platform.outputs["local_users"][0]["password"],
        },
    )["AuthenticationResult"]
    other = "/reports/9a8b7c6d-5e4f-4321-8765-1234567890ab"
    for token in (tokens["IdToken"], tokens["AccessToken"], f"Bearer {tokens['IdToken']}"):
        status, body = history(platform, other, token=token)
        assert (status, body["message"]) == (403, f"{other} is not your channel; use /reports/{me}")
    assert history(platform, other, token="")[0] == 401
    assert history(platform, other, token=tokens["IdToken"][:-4] + "AAAA")[0] == 401


@pytest.mark.parametrize(
    ("channel", "query", "status", "message"),
    [
        ("/chat/room", {"after": "x"}, 400, "after must be a seq: a whole number from 0"),
        ("/chat/room", {"limit": "1000"}, 400, "limit must be a whole number from 1 to 100"),
        ("/chat/room", {"cursor": "bad"}, 400, "cursor is not one this API gave out"),
        ("/nowhere/room", {}, 404, "no namespace /nowhere here"),
        ("/answers/x", {}, 403, "/answers/x is not your channel"),
    ],
)
def test_bad_history_requests_are_4xx_naming_what_was_wrong(
    platform: LocalPlatform,
    channel: str,
    query: dict[str, str],
    status: int,
    message: str,
) -> None:
    got, body = history(platform, channel, **query)
    assert got == status, body
    assert message in body["message"]


def test_kept_events_expire_with_the_tables_ttl(platform: LocalPlatform, events: Events) -> None:
    channel = room()
    events.http_publish(channel, [{"text": "expires"}])
    dynamodb = platform.client("dynamodb")
    (table,) = [t for t in dynamodb.list_tables()["TableNames"] if t.endswith("channel-history")]
    ttl = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expiresAt")
    item = dynamodb.get_item(TableName=table, Key={"pk": {"S": channel}, "sk": {"N": "1"}})
    (kept,) = all_history(platform, channel)
    days = (int(item["Item"]["expiresAt"]["N"]) - _epoch(kept["publishedAt"])) / 86400
    assert 6.99 < days <= 7.0


def _epoch(moment: str) -> int:
    from datetime import datetime  # noqa: PLC0415

    return int(datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp())


def test_the_example_client_recovers_missed_chat_messages(
    platform: LocalPlatform, events: Events
) -> None:
    """The README's walkthrough: a signed-in user who held seq N reads and resumes from it."""
    channel = room()
    for n in range(3):
        events.http_publish(channel, [{"text": f"while away {n}", "clientMessageId": f"w-{n}"}])
    user = platform.outputs["local_users"][0]
    base = [
        sys.executable,
        str(ROOT / "examples" / "realtime_client" / "client.py"),
        "--outputs",
        str(platform.out / "outputs.json"),
        "--user",
        user["username"],
    ]
    env = {**os.environ, "PLATFORM_PASSWORD": user["password"]}
    listed = subprocess.run(
        [*base, "history", "--channel", channel, "--after", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert [json.loads(line)["seq"] for line in listed.stdout.splitlines()] == [2, 3]
    resumed = subprocess.run(
        [*base, "subscribe", "--channel", channel, "--resume", "--after", "1", "--count", "2"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert [json.loads(line)["text"] for line in resumed.stdout.splitlines()] == [
        "while away 1",
        "while away 2",
    ]
    again = subprocess.run(
        [*base, "publish", "--channel", channel, '{"text": "x", "clientMessageId": "w-0"}'],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    # a repeat is no error: it was delivered the first time, and the client says so
    assert again.returncode == 0, again.stderr
    assert "event 0: kept before: message id w-0 was published as seq 1" in again.stderr
