"""The local Event API over the network, as AWS documents the protocol: connect, keep-alive,
subscribe and publish over WebSocket and HTTP, every error path, auth per namespace, the
channel handler's answers, and the loop from an answer to its report."""

from __future__ import annotations

import contextlib
import json
import time
import uuid

import pytest

from tests.local.appsync import Events
from tests.local.platform import LocalPlatform

pytestmark = pytest.mark.local


@pytest.fixture(scope="module")
def events(platform: LocalPlatform) -> Events:
    return Events(platform)


def sid() -> str:
    return str(uuid.uuid4())


def channel_body(channel: str) -> str:
    return json.dumps({"channel": channel})


def test_connection_is_acknowledged_and_kept_alive(events: Events) -> None:
    with events.socket() as ws:
        ack = ws.init()
        assert ack == {"type": "connection_ack", "connectionTimeoutMs": 300000}
        first = time.monotonic()
        ws.next("ka", timeout=3)
        ws.next("ka", timeout=3)
        # --ka-interval 1 in these tests: two keep-alives in about two seconds.
        assert 1.0 <= time.monotonic() - first <= 3.5


def test_chat_fans_out_to_every_matching_subscription_masked(events: Events) -> None:
    room = f"/chat/r{uuid.uuid4().hex[:8]}"
    with events.socket() as one, events.socket() as two:
        one.init()
        two.init()
        exact, wild, other = sid(), sid(), sid()
        assert one.subscribe(exact, room, events.key())["type"] == "subscribe_success"
        assert two.subscribe(wild, "/chat/*", events.key())["type"] == "subscribe_success"
        assert two.subscribe(other, "/chat/elsewhere", events.key())["type"] == "subscribe_success"
        publish_id = sid()
        one.send(
            {
                "type": "publish",
                "id": publish_id,
                "channel": room,
                "events": [json.dumps({"text": "call +44 20 7946 0018", "clientMessageId": "m1"})],
                "authorization": events.key(),
                "payload": "ignored: unknown keys are ignored, as Amplify sends them",
            }
        )
        answer = one.next("publish_success", id=publish_id)
        assert [s["index"] for s in answer["successful"]] == [0]
        assert answer["failed"] == []
        (mine,) = one.events(exact, 1)
        (theirs,) = two.events(wild, 1)
        assert mine == theirs
        assert mine["text"] == "call ***18"  # masked by the channel handler
        assert mine["sender"] == "anonymous"
        assert not [m for m in two.seen if m.get("id") == other and m["type"] == "data"]


def test_a_bad_item_fails_alone_and_is_not_broadcast(events: Events) -> None:
    room = f"/chat/r{uuid.uuid4().hex[:8]}"
    with events.socket() as ws:
        ws.init()
        sub = sid()
        ws.subscribe(sub, room, events.key())
        status, answer = events.http_publish(room, [{"text": "ok"}, {"txt": "typo"}])
        assert status == 200
        assert [s["index"] for s in answer["successful"]] == [0]
        assert [(f["index"], f["errorCode"], f["errorMessage"]) for f in answer["failed"]] == [
            (
                1,
                400,
                "InvalidPayloadError - text: Field required; txt: Extra inputs are not permitted",
            )
        ]
        (delivered,) = ws.events(sub, 1)
        assert delivered["text"] == "ok"
        ws.send({"type": "unsubscribe", "id": sub})
        assert ws.next("unsubscribe_success", id=sub)["id"] == sub
        events.http_publish(room, [{"text": "after unsubscribing"}])
        time.sleep(1)
        assert len([m for m in ws.seen if m["type"] == "data"]) == 1


@pytest.mark.parametrize(
    ("message", "kind", "error_type"),
    [
        ("{not json", "error", "BadRequestException"),
        ("[" * 100_000 + "]" * 100_000, "error", "BadRequestException"),
        (json.dumps({"type": "publish", "pad": "x" * 2_600_000}), "error", "BadRequestException"),
        (
            '{"type": "publish", "id": "p0", "channel": "/chat/x", "events": [NaN]}',
            "error",
            "BadRequestException",
        ),
        ({"type": "dance"}, "error", "UnsupportedOperation"),
        (
            {"type": "publish", "id": "p1", "channel": "/chat/x", "events": ["{}"] * 6},
            "publish_error",
            "BadRequestException",
        ),
        (
            {
                "type": "publish",
                "id": "p2",
                "channel": "/chat/x",
                "events": [json.dumps({"text": "x" * (240 * 1024)})],
            },
            "publish_error",
            "BadRequestException",
        ),
        (
            {"type": "publish", "id": "p3", "channel": "chat/x", "events": ["{}"]},
            "publish_error",
            "BadRequestException",
        ),
        (
            {"type": "publish", "id": "p4", "channel": "/chat/*", "events": ["{}"]},
            "publish_error",
            "BadRequestException",
        ),
        (
            {"type": "subscribe", "id": "s1", "channel": "/chat/a b"},
            "subscribe_error",
            "BadRequestException",
        ),
        (
            {"type": "unsubscribe", "id": "never-subscribed"},
            "unsubscribe_error",
            "UnknownOperationError",
        ),
    ],
)
def test_malformed_or_out_of_limits_messages_get_aws_errors(
    events: Events, message: dict[str, object] | str, kind: str, error_type: str
) -> None:
    with events.socket() as ws:
        ws.init()
        if isinstance(message, dict) and message["type"] in {"publish", "subscribe"}:
            message = {**message, "authorization": events.key()}
        ws.send(message)
        answer = ws.next(kind)
        assert answer["errors"][0]["errorType"] == error_type
        # The connection stays: the next message is answered.
        assert ws.subscribe(sid(), "/chat/still-here", events.key())["type"] == "subscribe_success"


def test_an_unknown_subscription_id_is_named_as_aws_names_it(events: Events) -> None:
    """aws-appsync-events-swift's tests: "Unknown operation id <id>"."""
    with events.socket() as ws:
        ws.init()
        ws.send({"type": "unsubscribe", "id": "never-subscribed"})
        assert ws.next("unsubscribe_error")["errors"] == [
            {
                "errorType": "UnknownOperationError",
                "message": "Unknown operation id never-subscribed",
            }
        ]


def test_a_subscription_id_is_used_once_and_a_connection_holds_100(events: Events) -> None:
    with events.socket() as ws:
        ws.init()
        for n in range(100):
            assert ws.subscribe(f"s{n}", f"/chat/c{n}", events.key())["type"] == "subscribe_success"
        again = ws.subscribe("s1", "/chat/c1", events.key())
        assert again["errors"][0]["errorType"] == "DuplicatedOperationError"
        over = ws.subscribe("s100", "/chat/c100", events.key())
        assert over["errors"][0]["errorType"] == "MaxSubscriptionsReachedError"


def test_connections_without_the_protocol_or_a_valid_key_are_refused(events: Events) -> None:
    with events.socket(protocols=["graphql-ws"]) as ws:
        assert ws.next("connection_error")["errors"][0]["errorType"] == "UnsupportedOperation"
    with events.socket(auth={"host": events.host}) as ws:  # no credentials at all
        assert ws.next("connection_error")["errors"][0]["errorType"] == "UnauthorizedException"
    with events.socket(auth=events.key("da2-wrong")) as ws:
        assert ws.next("connection_error")["errors"][0] == {
            "errorType": "UnauthorizedException",
            "message": "You are not authorized to make this call.",
        }
    status, answer = events.http_publish("/chat/x", [{"text": "hi"}], events.key("da2-wrong"))
    assert status == 401
    assert answer["errors"][0]["errorType"] == "UnauthorizedException"


def test_namespace_auth_modes_apply_per_operation(events: Events) -> None:
    mine = f"/reports/{events.user_id}"
    with events.socket() as ws:
        ws.init()
        # answers and reports take IAM and user sign-in modes only: an API key is refused.
        for channel in (f"/answers/{events.user_id}", mine):
            refused = ws.subscribe(sid(), channel, events.key())
            assert refused["errors"][0]["errorType"] == "UnauthorizedException"
        allowed = ws.subscribe(sid(), mine, events.user())
        assert allowed["type"] == "subscribe_success"
        # The user's own channel only: the handler refuses another's.
        other = ws.subscribe(sid(), "/reports/someone-else", events.user())
        assert other["type"] == "subscribe_error"
        assert other["errors"][0]["message"] == (
            f"ChannelRefusedError - /reports/someone-else is not your channel; use {mine}"
        )
        # IAM gets through the namespace's auth, then the handler refuses: a plain IAM
        # caller names no user, whatever its name.
        iam = ws.subscribe(sid(), mine, events.iam(channel_body(mine)))
        assert iam["type"] == "subscribe_error"
        assert (
            "IAM callers other than signed-in identity pool users have no user id"
            in (iam["errors"][0]["message"])
        )
        # A signature over another body is refused.
        forged = ws.subscribe(sid(), mine, events.iam(channel_body("/reports/x")))
        assert forged["errors"][0]["errorType"] == "UnauthorizedException"
    status, _ = events.http_publish(mine, [{"score": 100}])
    assert status == 401  # reports: the platform publishes, with IAM, never an API key
    # Any IAM caller passes the namespace's auth; the handler lets only report delivery in.
    body = json.dumps({"channel": mine, "events": [json.dumps({"score": 100})]})
    status, answer = events.http_publish(mine, [{"score": 100}], events.iam(body))
    assert (status, answer["successful"]) == (200, [])
    assert "published by the platform only" in answer["failed"][0]["errorMessage"]


def test_an_answer_published_on_the_socket_comes_back_as_a_report(events: Events) -> None:
    with events.socket() as ws:
        ws.init()
        sub = sid()
        reports = f"/reports/{events.user_id}"
        assert ws.subscribe(sub, reports, events.user())["type"] == "subscribe_success"
        answer = {
            "questionnaireId": "account-security.v1",
            "questionId": "backups",
            "value": "weekly",
        }
        payload = [json.dumps(answer)]
        publish_id = sid()
        started = time.monotonic()
        ws.send(
            {
                "type": "publish",
                "id": publish_id,
                "channel": f"/answers/{events.user_id}",
                "events": payload,
                "authorization": events.user(),
            }
        )
        assert ws.next("publish_success", id=publish_id)["failed"] == []
        (report,) = ws.events(sub, 1, timeout=5)
        took = time.monotonic() - started
        assert report["userId"] == events.user_id
        assert "backups" not in report["pending"]
        assert any(f["questionId"] == "backups" for f in report["findings"])
        print(f"answer -> report on the socket in {took:.2f} s")


def test_a_handler_that_times_out_fails_the_publish(
    platform: LocalPlatform, events: Events
) -> None:
    platform.settle()
    platform.inject({"function": "platform-local-channels", "fault": "timeout", "count": 1})
    status, answer = events.http_publish("/chat/slow", [{"text": "hello"}])
    assert status == 200
    assert answer["successful"] == []
    assert "Sandbox.Timedout" in answer["failed"][0]["errorMessage"]
    status, answer = events.http_publish("/chat/slow", [{"text": "hello again"}])
    assert [s["index"] for s in answer["successful"]] == [0]  # a fresh worker


def test_a_signed_in_user_reads_their_reports_and_only_theirs(
    platform: LocalPlatform, events: Events
) -> None:
    (user,) = platform.outputs["local_users"]
    tokens = platform.client("cognito-idp").initiate_auth(
        ClientId=platform.outputs["cognito_user_pool_client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user["username"], "PASSWORD": user["password"]},
    )["AuthenticationResult"]
    # Amplify's userPool mode sends the access token; the id token works too.
    access = {"Authorization": tokens["AccessToken"], "host": events.host}
    identity = {"Authorization": tokens["IdToken"], "host": events.host}
    mine = f"/reports/{user['user_id']}"
    with events.socket(auth=access) as ws:
        ws.init()
        assert ws.subscribe(sid(), mine, access)["type"] == "subscribe_success"
        refused = ws.subscribe(sid(), "/reports/local-client", identity)
        assert refused["type"] == "subscribe_error"
        forged = {"Authorization": tokens["AccessToken"][:-4] + "AAAA", "host": events.host}
        assert ws.subscribe(sid(), mine, forged)["errors"][0]["errorType"] == (
            "UnauthorizedException"
        )
        sub = sid()
        ws.subscribe(sub, mine, identity)
        answer = {"questionnaireId": "account-security.v1", "questionId": "mfa", "value": True}
        status, published = events.http_publish(f"/answers/{user['user_id']}", [answer], identity)
        assert (status, published["failed"]) == (200, [])
        (report,) = ws.events(sub, 1, timeout=5)
        assert report["userId"] == user["user_id"]
        assert report["score"] >= 25


def test_a_wildcard_channel_fans_out_to_many_subscribers(events: Events) -> None:
    room = f"/chat/many{uuid.uuid4().hex[:6]}"
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(events.socket()) for _ in range(12)]
        subs = []
        for n, ws in enumerate(sockets):
            ws.init()
            sub = sid()
            assert ws.subscribe(sub, "/chat/*" if n % 2 else room, events.key())["type"] == (
                "subscribe_success"
            )
            subs.append(sub)
        status, _ = events.http_publish(room, [{"text": "to everyone"}])
        assert status == 200
        received = [ws.events(sub, 1)[0]["text"] for ws, sub in zip(sockets, subs, strict=True)]
        assert received == ["to everyone"] * 12
