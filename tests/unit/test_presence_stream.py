"""The presence announcer: records of the presence table's stream, as the writes of the
presence logic make them, announced on /presence/<channel> through a fake Event API that
checks each SigV4 signature; heartbeats announce nothing, a record handed over again carries
the same message id, a record that cannot be published stops the batch there."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from handlers.common.dynamodb import to_attributes
from handlers.presence import dal
from handlers.presence.logic import Presence
from handlers.presence.models import Member
from handlers.presence_stream import handler as announcer
from handlers.presence_stream.settings import get_settings
from tests.unit.fake_appsync import CREDENTIALS, FakeAppSync, fake_appsync
from tests.unit.test_presence import MemoryStore

ROOM = "/chat/room-1"
AT = 1_800_000_000


@pytest.fixture
def appsync(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAppSync]:
    with fake_appsync() as server:
        server.host = urlsplit(server.http_url).netloc
        monkeypatch.setenv("EVENTS_PUBLISH_URL", f"{server.http_url}/event")
        monkeypatch.setenv("PUBLISH_ATTEMPTS", "1")
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS.access_key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CREDENTIALS.secret_key)
        get_settings.cache_clear()
        announcer.publisher.cache_clear()
        yield server
        announcer.publisher.cache_clear()
        get_settings.cache_clear()


def record(name: str, old: Member | None, new: Member | None, sequence: int) -> dict[str, Any]:
    """A stream record (NEW_AND_OLD_IMAGES) of one write, in DynamoDB's typed form."""
    change: dict[str, Any] = {
        "ApproximateCreationDateTime": AT,
        "Keys": to_attributes({"channel": ROOM, "member": "u-1"}),
        "SequenceNumber": str(sequence),
        "SizeBytes": 100,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        change["OldImage"] = to_attributes(dal._item(old))  # the item as stored
    if new is not None:
        change["NewImage"] = to_attributes(dal._item(new))
    return {
        "eventID": f"e-{sequence}",
        "eventName": name,
        "eventSource": "aws:dynamodb",
        "eventSourceARN": "arn:aws:dynamodb:eu-west-1:123456789012:table/presence/stream/x",
        "dynamodb": change,
    }


def writes() -> list[dict[str, Any]]:
    """The records of enter, heartbeat, update and leave, as the logic writes them."""
    store, now = MemoryStore(), [AT]
    presence = Presence(store, 30, lambda: now[0])
    images: list[tuple[str, Member | None, Member | None]] = []

    def step(name: str, act: Any) -> None:
        before = store.get(ROOM, "u-1")
        act()
        images.append((name, before, store.get(ROOM, "u-1")))

    step("INSERT", lambda: presence.enter(ROOM, "u-1", {"name": "Ann"}))
    step("MODIFY", lambda: presence.heartbeat(ROOM, "u-1"))
    step("MODIFY", lambda: presence.update(ROOM, "u-1", {"name": "Ann", "status": "away"}))
    step("REMOVE", lambda: presence.leave(ROOM, "u-1"))
    return [record(name, old, new, n) for n, (name, old, new) in enumerate(images, 1)]


def announced(appsync: FakeAppSync) -> list[dict[str, Any]]:
    found = []
    for request in appsync.published:
        assert request["channel"] == "/presence/chat/room-1"
        found += [json.loads(e) for e in request["events"]]
    return found


def test_each_change_is_announced_and_a_heartbeat_is_not(
    appsync: FakeAppSync, lambda_context: Any
) -> None:
    result = announcer.lambda_handler({"Records": writes()}, lambda_context)
    assert result == {"batchItemFailures": []}
    events = announced(appsync)
    assert [(e["action"], e["member"]["data"]) for e in events] == [
        ("enter", {"name": "Ann"}),
        ("update", {"name": "Ann", "status": "away"}),
        ("leave", {"name": "Ann", "status": "away"}),
    ]
    assert {e["channel"] for e in events} == {ROOM}
    assert all(e["at"] == AT for e in events)
    assert len({e["clientMessageId"] for e in events}) == 3


def test_a_record_handed_over_again_carries_the_same_message_id(
    appsync: FakeAppSync, lambda_context: Any
) -> None:
    enter = writes()[0]
    announcer.lambda_handler({"Records": [enter]}, lambda_context)
    announcer.lambda_handler({"Records": [enter]}, lambda_context)
    first, again = announced(appsync)
    assert first == again  # the durable channel keeps the id once: one enter for subscribers


def test_a_record_that_cannot_be_published_stops_the_batch_there(
    appsync: FakeAppSync, lambda_context: Any
) -> None:
    """Lambda retries from the failed record: nothing after it is announced before it."""
    records = writes()
    appsync.scripted_statuses = [500]  # the enter's publish fails
    result = announcer.lambda_handler({"Records": records}, lambda_context)
    assert result == {"batchItemFailures": [{"itemIdentifier": "1"}]}
    assert announced(appsync) == []
    # The retry, from that record: all announced, in the table's order.
    assert announcer.lambda_handler({"Records": records}, lambda_context) == {
        "batchItemFailures": []
    }
    assert [e["action"] for e in announced(appsync)] == ["enter", "update", "leave"]


def test_a_leave_and_a_new_enter_are_told_apart(appsync: FakeAppSync, lambda_context: Any) -> None:
    """After a leave the member's version starts again at 1: the re-enter is a new write, so
    a message id of its own, which the durable channel does not take for the first enter."""
    store, now = MemoryStore(), [AT]
    presence = Presence(store, 30, lambda: now[0])
    presence.enter(ROOM, "u-1")
    first = store.get(ROOM, "u-1")
    presence.leave(ROOM, "u-1")
    presence.enter(ROOM, "u-1")
    again = store.get(ROOM, "u-1")
    assert first is not None
    assert again is not None
    assert first.version == again.version == 1
    records = [
        record("INSERT", None, first, 1),
        record("REMOVE", first, None, 2),
        record("INSERT", None, again, 3),
    ]
    announcer.lambda_handler({"Records": records}, lambda_context)
    ids = [e["clientMessageId"] for e in announced(appsync)]
    assert len(ids) == len(set(ids)) == 3
