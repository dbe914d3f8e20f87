"""Catch-up (GET /channels/...): a durable channel's kept events after a seq, in order, paged,
authorised as a subscription to the channel is, every bad input a 4xx naming it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from handlers.channel_history import handler as history_handler
from handlers.channel_history.logic import encode_cursor
from handlers.channel_history.settings import get_settings
from handlers.channels.dal import DynamoDBHistoryStore
from handlers.channels.history import Entry, keep
from handlers.common.history import KeptEvent
from tests.unit.aws import REGION, create_history_table
from tests.unit.conftest import metric_values

ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI"
ALICE = "0f1e2d3c-4b5a-4697-8877-665544332211"
BOB = "9a8b7c6d-5e4f-4321-8765-1234567890ab"
APP = "https://d111111abcdef8.cloudfront.net"
TABLE = "history-test"


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The history table on moto, written by the channel handler's own store: 7 chat events,
    2 reports of Alice's."""
    monkeypatch.setenv("HISTORY_TABLE_NAME", TABLE)
    monkeypatch.setenv("HISTORY_NAMESPACES", '{"chat": 7, "reports": 7}')
    monkeypatch.setenv("USER_POOL_ISSUER", ISSUER)
    monkeypatch.setenv("ALLOWED_ORIGINS", APP)
    get_settings.cache_clear()
    history_handler.reader.cache_clear()
    history_handler.api.cache_clear()
    with mock_aws():
        resource = create_history_table(TABLE)
        store = DynamoDBHistoryStore(TABLE, boto3.client("dynamodb", region_name=REGION))
        for n in range(7):
            keep("/chat/room-1", [Entry(f"e-{n}", None, {"text": f"m{n}"})], store, ttl_days=7)
        keep(
            f"/reports/{ALICE}",
            [Entry("r-1", "report-1", {"score": 1}), Entry("r-2", "report-2", {"score": 2})],
            store,
            ttl_days=7,
        )
        yield resource
    history_handler.reader.cache_clear()


def http_event(
    path: str, sub: str | None = ALICE, query: dict[str, str] | None = None, issuer: str = ISSUER
) -> dict[str, Any]:
    """The payload (format 2.0) the HTTP API sends for GET /channels/{proxy+} behind its JWT
    authoriser."""
    raw_path = f"/channels/{path}"
    context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "api",
        "domainName": "api.example.com",
        "http": {
            "method": "GET",
            "path": raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": "198.51.100.7",
            "userAgent": "test",
        },
        "requestId": "req-1",
        "routeKey": "GET /channels/{proxy+}",
        "stage": "$default",
        "time": "05/Dec/2026:08:00:00 +0000",
        "timeEpoch": 1796457600000,
    }
    if sub is not None:
        context["authorizer"] = {
            "jwt": {"claims": {"sub": sub, "iss": issuer, "token_use": "id"}, "scopes": None}
        }
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "GET /channels/{proxy+}",
        "rawPath": raw_path,
        "rawQueryString": "&".join(f"{k}={v}" for k, v in (query or {}).items()),
        "headers": {"accept": "application/json", "origin": APP},
        "pathParameters": {"proxy": path},
        "requestContext": context,
        "isBase64Encoded": False,
    }
    if query:
        event["queryStringParameters"] = query
    return event


def call(event: dict[str, Any], lambda_context: Any) -> tuple[int, dict[str, Any]]:
    answer = history_handler.lambda_handler(event, lambda_context)
    return answer["statusCode"], json.loads(answer["body"])


def test_events_after_a_seq_in_order(table: Any, lambda_context: Any) -> None:
    status, body = call(http_event("chat/room-1", query={"after": "4"}), lambda_context)
    assert status == 200
    assert [(e["seq"], e["id"], e["payload"]["text"]) for e in body["events"]] == [
        (5, "e-4", "m4"),
        (6, "e-5", "m5"),
        (7, "e-6", "m6"),
    ]
    assert set(body["events"][0]) == {"id", "seq", "publishedAt", "payload"}
    assert body["events"][0]["payload"] == {"text": "m4", "seq": 5, "id": "e-4"}
    assert body["next"] is None


def test_pages_follow_each_other_without_gaps_or_repeats(
    table: Any, lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    seqs: list[int] = []
    query: dict[str, str] = {"limit": "3"}
    for _ in range(5):
        status, body = call(http_event("chat/room-1", query=query), lambda_context)
        assert status == 200
        seqs += [e["seq"] for e in body["events"]]
        if body["next"] is None:
            break
        query = {"limit": "3", "cursor": body["next"]}
    assert seqs == [1, 2, 3, 4, 5, 6, 7]
    assert metric_values(capsys.readouterr().out)["HistoryEventsServed"] == 7


def test_a_private_channel_is_read_by_its_owner_only(table: Any, lambda_context: Any) -> None:
    status, body = call(http_event(f"reports/{ALICE}"), lambda_context)
    assert status == 200
    assert [e["payload"]["score"] for e in body["events"]] == [1, 2]
    status, body = call(http_event(f"reports/{ALICE}", sub=BOB), lambda_context)
    assert status == 403
    assert body["message"] == f"/reports/{ALICE} is not your channel; use /reports/{BOB}"


def test_a_token_of_an_issuer_the_platform_does_not_trust_names_no_user(
    table: Any, lambda_context: Any
) -> None:
    status, body = call(
        http_event(f"reports/{ALICE}", issuer="https://login.example.com/"), lambda_context
    )
    assert status == 403
    assert "tokens of https://login.example.com name no user here" in body["message"]


@pytest.mark.parametrize(
    ("path", "query", "status", "message"),
    [
        ("chat/room-1", {"after": "-1"}, 400, "after must be a seq: a whole number from 0"),
        ("chat/room-1", {"after": "²"}, 400, "after must be a seq: a whole number from 0"),
        ("chat/room-1", {"after": "9" * 5000}, 400, "after must be a seq: a whole number from 0"),
        ("chat/room-1", {"limit": "0"}, 400, "limit must be a whole number from 1 to 100"),
        ("chat/room-1", {"limit": "101"}, 400, "limit must be a whole number from 1 to 100"),
        ("chat/room-1", {"cursor": "not-a-cursor"}, 400, "cursor is not one this API gave out"),
        (
            "chat/room-1",
            {"cursor": encode_cursor("/chat/room-2", 3)},
            400,
            "cursor belongs to another channel than /chat/room-1",
        ),
        (
            "chat/room-1",
            {"after": "1", "cursor": encode_cursor("/chat/room-1", 3)},
            400,
            "give after or cursor, not both",
        ),
        ("chat/room_1", {}, 400, "segment 'room_1' is not 1-50 letters, digits or hyphens"),
        ("chat/a/b/c/d/e", {}, 400, "a channel has 1-5 segments"),
        ("chat/*", {}, 400, "segment '*' is not 1-50 letters, digits or hyphens"),
        ("default/room", {}, 404, "no namespace /default here"),
        (f"answers/{ALICE}", {}, 404, "/answers keeps no history"),
        (f"answers/{BOB}", {}, 403, f"/answers/{BOB} is not your channel"),
    ],
)
def test_bad_requests_are_refused_naming_what_was_wrong(
    table: Any,
    lambda_context: Any,
    path: str,
    query: dict[str, str],
    status: int,
    message: str,
) -> None:
    got, body = call(http_event(path, query=query), lambda_context)
    assert (got, message in body["message"]) == (status, True), body


def test_expired_events_are_not_served(table: Any, lambda_context: Any) -> None:
    old = KeptEvent("/chat/room-9", 1, "old", "2026-01-01T00:00:00.000Z", {"a": 1}, 1000)
    table.put_item(Item=old.to_item())
    status, body = call(http_event("chat/room-9"), lambda_context)
    assert (status, body) == (200, {"events": [], "next": None})


def test_no_subject_is_unauthorized(table: Any, lambda_context: Any) -> None:
    assert call(http_event("chat/room-1", sub=None), lambda_context)[0] == 401


def test_the_web_app_may_read_it_from_the_browser(table: Any, lambda_context: Any) -> None:
    answer = history_handler.lambda_handler(http_event("chat/room-1"), lambda_context)
    assert answer["headers"]["Access-Control-Allow-Origin"] == APP
