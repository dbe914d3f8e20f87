"""The presence API (GET and POST /presence/{proxy+}) over the members table on moto: enter,
update, heartbeat, leave and the members list, each authorised as a subscription to the
channel is, with the status and words that say what was wrong."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from handlers.presence import handler as presence_handler
from handlers.presence.settings import get_settings
from tests.unit import http_api
from tests.unit.conftest import emitted, metric_values
from tests.unit.test_presence import presence_table

ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI"
ALICE = "0f1e2d3c-4b5a-4697-8877-665544332211"
BOB = "9a8b7c6d-5e4f-4321-8765-1234567890ab"
TABLE = "presence-test"


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PRESENCE_TABLE_NAME", TABLE)
    monkeypatch.setenv("PRESENCE_NAMESPACES", '{"chat": 30, "answers": 30}')
    monkeypatch.setenv("USER_POOL_ISSUER", ISSUER)
    get_settings.cache_clear()
    presence_handler.store.cache_clear()
    presence_handler.api.cache_clear()
    with mock_aws():
        presence_table(TABLE)
        yield
    presence_handler.store.cache_clear()
    get_settings.cache_clear()


def http_event(
    method: str, path: str, body: Any = None, sub: str | None = ALICE, issuer: str = ISSUER
) -> dict[str, Any]:
    """The payload (format 2.0) the HTTP API sends behind its JWT authoriser."""
    return http_api.http_event(
        f"{method} /presence/{{proxy+}}",
        f"/presence/{path}",
        sub,
        claims={"iss": issuer, "token_use": "id"},
        body=body,
        path_parameters={"proxy": path},
    )


def call(event: dict[str, Any], lambda_context: Any) -> tuple[int, dict[str, Any]]:
    answer = presence_handler.lambda_handler(event, lambda_context)
    return answer["statusCode"], json.loads(answer["body"])


def test_two_members_enter_and_are_listed(table: None, lambda_context: Any) -> None:
    status, body = call(
        http_event("POST", "chat/room-1", {"action": "enter", "data": {"name": "Alice"}}),
        lambda_context,
    )
    assert (status, body) == (
        200,
        {
            "channel": "/chat/room-1",
            "member": ALICE,
            "action": "enter",
            "announced": "enter",
            "heartbeatSeconds": 30,
        },
    )
    call(http_event("POST", "chat/room-1", {"action": "enter"}, sub=BOB), lambda_context)
    status, listed = call(http_event("GET", "chat/room-1", sub=BOB), lambda_context)
    assert status == 200
    assert listed["occupancy"] == 2
    assert listed["presenceChannel"] == "/presence/chat/room-1"
    # Oldest entry first (then by id): Alice entered first.
    assert [(m["id"], m["data"]) for m in listed["members"]] == [
        (ALICE, {"name": "Alice"}),
        (BOB, {}),
    ]


def test_update_heartbeat_and_leave(
    table: None, lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    def act(body: Any) -> tuple[int, dict[str, Any]]:
        return call(http_event("POST", "chat/room-1", body), lambda_context)

    assert act({"action": "heartbeat"}) == (
        409,
        {"message": f"{ALICE} is not present on /chat/room-1: enter first"},
    )
    act({"action": "enter", "data": {"status": "here"}})
    assert act({"action": "update", "data": {"status": "away"}})[1]["announced"] == "update"
    assert act({"action": "heartbeat"})[1]["announced"] is None
    assert act({"action": "leave"})[1]["announced"] == "leave"
    assert act({"action": "leave"})[1]["announced"] is None  # once
    assert call(http_event("GET", "chat/room-1"), lambda_context)[1]["occupancy"] == 0
    out = capsys.readouterr().out
    counted = metric_values(out)
    assert (counted["PresenceEnters"], counted["PresenceLeaves"]) == (1, 2)
    # Occupancy after the enter (1) and the leave (0), with the channel as its dimension.
    occupancy = [b for b in emitted(out) if "Occupancy" in b]
    assert [(b["Occupancy"], b["Channel"]) for b in occupancy] == [
        ([1.0], "/chat/room-1"),
        ([0.0], "/chat/room-1"),
    ]
    assert counted["PresenceRequestsRefused"] == 1  # the heartbeat before entering


@pytest.mark.parametrize(
    ("method", "path", "body", "sub", "status", "words"),
    [
        ("POST", "chat/room-1", {"action": "dance"}, ALICE, 400, "action: Input should be"),
        ("POST", "chat/room-1", "{not json", ALICE, 400, "the body is not JSON"),
        (
            "POST",
            "chat/room-1",
            {"action": "enter", "data": {"name": "x" * 65}},
            ALICE,
            400,
            "data.name: String should have at most 64 characters",
        ),
        ("POST", "chat/a/b/c/d", {"action": "enter"}, ALICE, 400, "at most 4 segments"),
        ("POST", "reports/" + ALICE, {"action": "enter"}, ALICE, 404, "keeps none"),
        ("POST", "answers/" + ALICE, {"action": "enter"}, BOB, 403, "is not your channel"),
        ("GET", "answers/" + ALICE, None, BOB, 403, "is not your channel"),
        ("GET", "chat/room-1", None, None, 401, "Unauthorized"),
    ],
)
def test_a_refused_request_says_why(
    table: None,
    lambda_context: Any,
    method: str,
    path: str,
    body: Any,
    sub: str | None,
    status: int,
    words: str,
) -> None:
    got, answer = call(http_event(method, path, body, sub=sub), lambda_context)
    assert got == status, answer
    assert words in answer["message"]


def test_a_user_cannot_enter_as_another(table: None, lambda_context: Any) -> None:
    """The member is the token's subject: nothing in the request names it."""
    status, body = call(
        http_event("POST", "chat/room-1", {"action": "enter", "member": BOB}), lambda_context
    )
    assert (status, body["message"]) == (400, "member: Extra inputs are not permitted")
    call(http_event("POST", "chat/room-1", {"action": "enter"}), lambda_context)
    members = boto3.client("dynamodb", region_name="eu-west-1").scan(TableName=TABLE)["Items"]
    assert [m["member"]["S"] for m in members] == [ALICE]
