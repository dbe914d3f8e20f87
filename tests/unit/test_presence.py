"""Presence's plain logic (handlers.presence.logic) over both stores: an in-memory one that
keeps the protocol's promises, and the DynamoDB one (moto) as the Terraform will lay out the
table. Expiry, idempotent enter and leave, the data rules, and a sweep that announces each
leave once, even when two sweeps overlap or a heartbeat races one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import boto3
import pytest
from moto import mock_aws

from handlers.presence.dal import EXPIRY_INDEX, SHARDS, DynamoDBMemberStore, shard_of
from handlers.presence.logic import NotPresentError, Presence, PresenceError
from handlers.presence.models import Member
from tests.unit.aws import REGION

HEARTBEAT = 30
ROOM = "/chat/room-1"


class MemoryStore:
    """``MemberStore`` in a dict, conditional writes included."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Member] = {}

    def get(self, channel: str, member_id: str) -> Member | None:
        return self.items.get((channel, member_id))

    def put(self, member: Member, *, expected_version: int | None) -> bool:
        found = self.items.get((member.channel, member.member_id))
        if (found.version if found else None) != expected_version:
            return False
        self.items[(member.channel, member.member_id)] = member
        return True

    def delete(self, member: Member, *, expired_by: int | None = None) -> bool:
        found = self.items.get((member.channel, member.member_id))
        if found is None or found.version != member.version:
            return False
        if expired_by is not None and found.expires_at > expired_by:
            return False
        del self.items[(member.channel, member.member_id)]
        return True

    def members(self, channel: str) -> list[Member]:
        return [m for (c, _), m in self.items.items() if c == channel]

    def expired(self, now: int, limit: int) -> list[Member]:
        return [m for m in self.items.values() if m.expires_at <= now][:limit]


def presence_table(name: str) -> None:
    """The presence table as dal.py lays it out (the Terraform will make the same)."""
    boto3.client("dynamodb", region_name=REGION).create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "channel", "KeyType": "HASH"},
            {"AttributeName": "member", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": n, "AttributeType": t}
            for n, t in (("channel", "S"), ("member", "S"), ("shard", "S"), ("expiresAt", "N"))
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": EXPIRY_INDEX,
                "KeySchema": [
                    {"AttributeName": "shard", "KeyType": "HASH"},
                    {"AttributeName": "expiresAt", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000

    def __call__(self) -> int:
        return self.now


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "memory":
        yield MemoryStore()
        return
    with mock_aws():
        presence_table("presence")
        yield DynamoDBMemberStore("presence", boto3.client("dynamodb", region_name=REGION))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def presence(store: Any, clock: Clock) -> Presence:
    return Presence(store, HEARTBEAT, clock)


def actions(announcements: list[Any]) -> list[tuple[str, str]]:
    return [(a.action, a.member_id) for a in announcements if a is not None]


def test_enter_is_announced_once_and_listed(presence: Presence, clock: Clock) -> None:
    first = presence.enter(ROOM, "u-1", {"name": "Ann", "status": "answering"})
    assert first is not None
    assert first.payload() == {
        "action": "enter",
        "channel": ROOM,
        "member": {"id": "u-1", "data": {"name": "Ann", "status": "answering"}},
        "at": clock.now,
    }
    # Entering again with the same data (a reconnect) announces nothing; new data, an update.
    assert presence.enter(ROOM, "u-1", {"name": "Ann", "status": "answering"}) is None
    again = presence.enter(ROOM, "u-1", {"name": "Ann", "status": "away"})
    assert again is not None
    assert again.action == "update"
    presence.enter(ROOM, "u-2")
    assert [m.member_id for m in presence.members(ROOM)] == ["u-1", "u-2"]
    assert presence.occupancy(ROOM) == 2
    assert presence.occupancy("/chat/elsewhere") == 0


def test_a_member_expires_two_intervals_after_its_last_heartbeat(
    presence: Presence, clock: Clock
) -> None:
    presence.enter(ROOM, "u-1")
    clock.now += HEARTBEAT
    presence.heartbeat(ROOM, "u-1")  # expiry moves to now + 60
    clock.now += 2 * HEARTBEAT - 1
    assert presence.occupancy(ROOM) == 1
    clock.now += 1
    assert presence.occupancy(ROOM) == 0  # gone for readers at once, swept later
    with pytest.raises(NotPresentError, match="u-1 is not present on /chat/room-1: enter"):
        presence.heartbeat(ROOM, "u-1")
    # Entering again after expiry is an enter, not an update.
    back = presence.enter(ROOM, "u-1")
    assert back is not None
    assert back.action == "enter"


def test_the_sweep_announces_each_expired_member_once(presence: Presence, clock: Clock) -> None:
    presence.enter(ROOM, "u-1", {"name": "Ann"})
    presence.enter(ROOM, "u-2")
    presence.enter("/chat/room-2", "u-3")
    clock.now += HEARTBEAT
    presence.heartbeat(ROOM, "u-2")
    clock.now += HEARTBEAT  # u-1 and u-3 expire now; u-2 has 30 s left
    leaves = presence.sweep()
    assert sorted(actions(leaves)) == [("leave", "u-1"), ("leave", "u-3")]
    assert [a.data for a in leaves if a.member_id == "u-1"] == [{"name": "Ann"}]
    assert presence.sweep() == []  # nothing twice
    assert [m.member_id for m in presence.members(ROOM)] == ["u-2"]


def test_two_overlapping_sweeps_publish_one_leave(store: Any, clock: Clock) -> None:
    """Both sweeps read the expired member before either deletes it: one delete wins."""
    presence = Presence(store, HEARTBEAT, clock)
    presence.enter(ROOM, "u-1")
    clock.now += 2 * HEARTBEAT
    read_by_both = store.expired(clock.now, 10)
    first = [m for m in read_by_both if store.delete(m, expired_by=clock.now)]
    second = [m for m in read_by_both if store.delete(m, expired_by=clock.now)]
    assert (len(first), len(second)) == (1, 0)


def test_a_heartbeat_between_the_sweeps_read_and_its_delete_wins(store: Any, clock: Clock) -> None:
    presence = Presence(store, HEARTBEAT, clock)
    presence.enter(ROOM, "u-1")
    clock.now += 2 * HEARTBEAT
    (stale,) = store.expired(clock.now, 10)
    presence.enter(ROOM, "u-1")  # the member comes back (a new version)
    assert store.delete(stale, expired_by=clock.now) is False
    assert presence.occupancy(ROOM) == 1


def test_an_expired_member_is_not_deleted_early(store: Any, clock: Clock) -> None:
    presence = Presence(store, HEARTBEAT, clock)
    presence.enter(ROOM, "u-1")
    (member,) = store.members(ROOM)
    assert store.delete(member, expired_by=clock.now) is False  # not expired yet
    assert store.expired(clock.now, 10) == []


def test_leave_is_announced_once(presence: Presence) -> None:
    presence.enter(ROOM, "u-1", {"status": "here"})
    assert actions([presence.leave(ROOM, "u-1")]) == [("leave", "u-1")]
    assert presence.leave(ROOM, "u-1") is None
    with pytest.raises(NotPresentError):
        presence.update(ROOM, "u-1", {"status": "back"})


def test_update_changes_data_and_counts_as_a_heartbeat(presence: Presence, clock: Clock) -> None:
    presence.enter(ROOM, "u-1", {"status": "here"})
    clock.now += HEARTBEAT + 10
    update = presence.update(ROOM, "u-1", {"status": "typing"})
    assert update is not None
    assert update.action == "update"
    clock.now += HEARTBEAT + 10  # 80 s after entering, 40 s after the update
    assert presence.occupancy(ROOM) == 1
    assert presence.update(ROOM, "u-1", {"status": "typing"}) is None  # unchanged


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x" * 65}, "data.name: String should have at most 64 characters"),
        ({"status": 3}, "data.status: Input should be a valid string"),
        ({"email": "a@example.com"}, "data.email: Extra inputs are not permitted"),
        ({"name": ""}, "data.name: String should have at least 1 character"),
        (["Ann"], "presence data must be a JSON object, got list"),
    ],
)
def test_bad_data_is_refused_naming_the_field(presence: Presence, data: Any, message: str) -> None:
    with pytest.raises(PresenceError, match="^.*" + message.replace(".", r"\.")):
        presence.enter(ROOM, "u-1", data)
    assert presence.occupancy(ROOM) == 0


def test_personal_data_is_masked(presence: Presence) -> None:
    entered = presence.enter(
        ROOM, "u-1", {"name": " jane.doe@example.com ", "status": "+44 20 7946 0018"}
    )
    assert entered is not None
    assert entered.data == {"name": "j***@example.com", "status": "***18"}
    assert presence.members(ROOM)[0].data == entered.data


def test_members_spread_over_every_shard() -> None:
    shards = {shard_of(ROOM, f"u-{n}") for n in range(200)}
    assert shards == {str(n) for n in range(SHARDS)}


def test_a_member_read_back_is_the_member_written(store: Any, clock: Clock) -> None:
    member = Member(ROOM, "u-1", {"name": "Ann"}, clock.now, clock.now + 60, 1, announce="enter")
    assert store.put(member, expected_version=None) is True
    assert store.put(member, expected_version=None) is False  # exists already
    assert store.get(ROOM, "u-1") == member
    newer = replace(member, version=2, expires_at=clock.now + 90, announce=None)  # a heartbeat
    assert store.put(newer, expected_version=2) is False  # stale expectation
    assert store.put(newer, expected_version=1) is True
    assert store.get(ROOM, "u-1") == newer
