"""Who may be present where (handlers.presence.access) and what a change announces
(handlers.presence.logic.announcement_of): the rules the presence API and its stream will
apply, on the channel handler's identity and subscription rules."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.channels.identity import AuthKind, Caller
from handlers.channels.logic import (
    Channel,
    UnknownChannelError,
    require_subscription,
    watched_by_presence,
)
from handlers.presence.access import (
    NoPresenceError,
    PresenceRefusedError,
    PresenceRequestError,
    announce_channel,
    parse_request,
    presence_channel,
    require_member,
    require_reader,
)
from handlers.presence.logic import announcement_of
from handlers.presence.models import Member

NAMESPACES = frozenset({"chat", "answers"})
ANN = Caller(AuthKind.COGNITO, user_id="u-1")
BOB = Caller(AuthKind.COGNITO, user_id="u-10")
KEY = Caller(AuthKind.API_KEY, why_no_user="an API key names no user")
SERVICE = Caller(AuthKind.IAM, service="platform-report-delivery")


def test_a_channel_with_presence_is_named_by_its_path() -> None:
    channel = presence_channel("chat/room-1", NAMESPACES)
    assert (channel.namespace, channel.segments) == ("chat", ("chat", "room-1"))
    assert announce_channel(channel) == "/presence/chat/room-1"
    assert watched_by_presence(Channel("presence", ("presence", "chat", "room-1"))) == channel


@pytest.mark.parametrize(
    ("path", "error", "words"),
    [
        ("reports/u-1", NoPresenceError, "namespace 'reports' keeps none"),
        ("chat/a/b/c/d", PresenceRequestError, "at most 4 segments"),
        ("chat/a b", PresenceRequestError, "segment 'a b' is not 1-50 letters"),
        ("chat/*", PresenceRequestError, "a wildcard only ends a subscription"),
        ("", PresenceRequestError, "segment '' is not"),
    ],
)
def test_a_path_without_presence_is_refused_saying_why(
    path: str, error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words.replace("*", r"\*")):
        presence_channel(path, NAMESPACES)


def test_members_are_signed_in_users_who_may_subscribe() -> None:
    room = presence_channel("chat/room-1", NAMESPACES)
    assert require_member(ANN, room) == "u-1"
    require_reader(KEY, room)  # an API key may watch an open room's presence ...
    with pytest.raises(PresenceRefusedError, match="presence needs a signed-in user: an API key"):
        require_member(KEY, room)  # ... but is nobody to be present as
    with pytest.raises(PresenceRefusedError, match="signed-in user"):
        require_member(SERVICE, room)


def test_a_private_channels_presence_is_its_owners_only() -> None:
    own = presence_channel("answers/u-1", NAMESPACES)
    assert require_member(ANN, own) == "u-1"
    # u-10 is not u-1, though one id begins the other.
    with pytest.raises(PresenceRefusedError):
        require_reader(BOB, own)
    with pytest.raises(PresenceRefusedError):
        require_member(BOB, own)


def test_a_presence_channel_that_names_no_channel_is_refused() -> None:
    with pytest.raises(UnknownChannelError):
        watched_by_presence(Channel("presence", ("presence",)))
    with pytest.raises(UnknownChannelError):
        watched_by_presence(Channel("chat", ("chat", "room-1")))


def test_a_presence_channel_is_subscribed_to_as_the_channel_it_watches() -> None:
    """The channel handler's one subscription rule: /presence/answers/<id> is its owner's."""
    require_subscription(KEY, Channel("presence", ("presence", "chat", "room-1")))
    require_subscription(KEY, Channel("presence", ("presence", "chat", "*")))
    require_subscription(ANN, Channel("presence", ("presence", "answers", "u-1")))
    with pytest.raises(PermissionError, match="is not your channel"):
        require_subscription(BOB, Channel("presence", ("presence", "answers", "u-1")))
    with pytest.raises(UnknownChannelError):
        require_subscription(ANN, Channel("presence", ("presence", "*")))


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"action": "dance"}, "action: Input should be 'enter', 'update', 'heartbeat' or 'leave'"),
        ({}, "action: Field required"),
        ({"action": "enter", "who": "u-2"}, "who: Extra inputs are not permitted"),
        (["enter"], "the body must be a JSON object with an action, got list"),
    ],
)
def test_a_bad_request_names_what_is_wrong(body: Any, words: str) -> None:
    with pytest.raises(PresenceRequestError, match=words.replace("(", r"\(")):
        parse_request(body)


def test_a_request_carries_its_action_and_data() -> None:
    request = parse_request({"action": "enter", "data": {"name": "Ann"}})
    assert (request.action, request.data) == ("enter", {"name": "Ann"})


# --- what a change announces (a write, or a record of the table's stream) ----------------

NOW = 1_800_000_000


def member(version: int = 1, expires: int = NOW + 60, **data: str) -> Member:
    return Member("/chat/room-1", "u-1", dict(data), NOW - 100, expires, version)


def test_a_new_member_enters() -> None:
    announced = announcement_of(None, member(name="Ann"), NOW)
    assert announced is not None
    assert (announced.action, announced.data) == ("enter", {"name": "Ann"})


def test_a_heartbeat_announces_nothing_and_new_data_an_update() -> None:
    assert announcement_of(member(1), member(2, NOW + 90), NOW) is None
    changed = announcement_of(member(1, status="here"), member(2, status="away"), NOW)
    assert changed is not None
    assert (changed.action, changed.data) == ("update", {"status": "away"})


def test_coming_back_after_expiry_is_an_enter() -> None:
    expired = member(1, expires=NOW)  # expired exactly now
    announced = announcement_of(expired, member(2, NOW + 60), NOW)
    assert announced is not None
    assert announced.action == "enter"


def test_a_removed_member_leaves_with_its_last_data() -> None:
    announced = announcement_of(member(3, name="Ann"), None, NOW)
    assert announced is not None
    assert announced.payload() == {
        "action": "leave",
        "channel": "/chat/room-1",
        "member": {"id": "u-1", "data": {"name": "Ann"}},
        "at": NOW,
    }
    assert announcement_of(None, None, NOW) is None
