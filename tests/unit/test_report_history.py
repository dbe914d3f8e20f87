"""Report history (GET /reports): the caller's reports only, newest first, paged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from handlers.contracts import ReportReady
from handlers.report_delivery.dal import DynamoDBReportStore
from handlers.report_history import handler as history_handler
from handlers.report_history.logic import (
    HistoryRequestError,
    decode_cursor,
    encode_cursor,
    partition_of,
)
from handlers.report_history.settings import get_settings
from tests.unit import http_api
from tests.unit.aws import REGION, create_table
from tests.unit.conftest import metric_values

ALICE = "0f1e2d3c-4b5a-4697-8877-665544332211"
BOB = "9a8b7c6d-5e4f-4321-8765-1234567890ab"
APP = "https://d111111abcdef8.cloudfront.net"
START = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def report(user: str, n: int, questionnaire: str = "account-security.v1") -> ReportReady:
    return ReportReady(
        report_id=f"report-{user[:4]}-{n:02d}",
        user_id=user,
        questionnaire_id=questionnaire,
        score=n,
        level="critical",
        answered=1,
        total=7,
        pending=[],
        findings=[],
        generated_at=START + timedelta(minutes=n),
    )


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The reports table on moto, written by report delivery's own store."""
    monkeypatch.setenv("REPORTS_TABLE_NAME", "reports-test")
    monkeypatch.setenv("ALLOWED_ORIGINS", f"{APP},https://second.example.com")
    get_settings.cache_clear()
    history_handler.reader.cache_clear()
    history_handler.api.cache_clear()
    with mock_aws():
        create_table("reports-test")
        store = DynamoDBReportStore("reports-test", boto3.client("dynamodb", region_name=REGION))
        for n in range(1, 8):
            store.put_report(report(ALICE, n))
        for n in range(1, 4):
            store.put_report(report(BOB, 50 + n))
        yield
    history_handler.reader.cache_clear()


def http_event(sub: str | None, query: dict[str, str] | None = None) -> dict[str, Any]:
    return http_api.http_event("GET /reports", "/reports", sub, query)


def call(event: dict[str, Any], lambda_context: Any) -> tuple[int, dict[str, Any]]:
    answer = history_handler.lambda_handler(event, lambda_context)
    return answer["statusCode"], json.loads(answer["body"])


def test_only_the_callers_reports_newest_first(table: None, lambda_context: Any) -> None:
    status, body = call(http_event(ALICE), lambda_context)
    assert status == 200
    assert [r["score"] for r in body["items"]] == [7, 6, 5, 4, 3, 2, 1]
    assert {r["userId"] for r in body["items"]} == {ALICE}
    assert body["nextCursor"] is None


def test_pages_follow_each_other_without_gaps_or_repeats(
    table: None, lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        query = {"limit": "3"} | ({"cursor": cursor} if cursor else {})
        status, body = call(http_event(ALICE, query), lambda_context)
        assert status == 200
        seen += [r["score"] for r in body["items"]]
        pages += 1
        cursor = body["nextCursor"]
        if cursor is None or pages > 5:
            break
    assert seen == [7, 6, 5, 4, 3, 2, 1]
    # 3 + 3 + 1; DynamoDB may end with an empty page when the last one is exactly full.
    assert pages == 3
    assert metric_values(capsys.readouterr().out)["HistoryPagesServed"] == 3


def test_a_cursor_of_another_user_is_refused(table: None, lambda_context: Any) -> None:
    _, first = call(http_event(BOB, {"limit": "1"}), lambda_context)
    bobs_cursor = first["nextCursor"]
    assert bobs_cursor
    status, body = call(http_event(ALICE, {"cursor": bobs_cursor}), lambda_context)
    assert status == 400
    assert body == {"message": "cursor belongs to another user's history"}


def test_a_forged_cursor_naming_another_user_is_refused(table: None, lambda_context: Any) -> None:
    forged = encode_cursor({"pk": partition_of(BOB), "sk": "REPORT#account-security.v1#9"})
    status, body = call(http_event(ALICE, {"cursor": forged}), lambda_context)
    assert (status, body["message"]) == (400, "cursor belongs to another user's history")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"cursor": "not base64!"}, "cursor is not one this API gave out"),
        (
            {"cursor": encode_cursor({"pk": partition_of(ALICE), "sk": "ANSWER#x"})},
            "cursor is not one this API gave out",
        ),
        ({"limit": "0"}, "limit must be a whole number from 1 to 50"),
        ({"limit": "51"}, "limit must be a whole number from 1 to 50"),
        ({"limit": "ten"}, "limit must be a whole number from 1 to 50"),
        # str.isdigit() takes these; int() refuses the first and gives up on the second.
        ({"limit": "\u00b2"}, "limit must be a whole number from 1 to 50"),
        ({"limit": "\u0663"}, "limit must be a whole number from 1 to 50"),
        ({"limit": "9" * 5000}, "limit must be a whole number from 1 to 50"),
        ({"limit": "10\n"}, "limit must be a whole number from 1 to 50"),
        (
            {"questionnaire": "account-security.v1\n"},
            "questionnaire must be a questionnaire id such as account-security.v1",
        ),
        (
            {"questionnaire": "a b"},
            "questionnaire must be a questionnaire id such as account-security.v1",
        ),
    ],
)
def test_bad_parameters_get_a_clear_400(
    table: None, lambda_context: Any, query: dict[str, str], message: str
) -> None:
    assert call(http_event(ALICE, query), lambda_context) == (400, {"message": message})


def test_one_questionnaire_only(table: None, lambda_context: Any) -> None:
    store = DynamoDBReportStore("reports-test", boto3.client("dynamodb", region_name=REGION))
    store.put_report(report(ALICE, 30, questionnaire="other.v1"))
    _, everything = call(http_event(ALICE), lambda_context)
    _, one = call(http_event(ALICE, {"questionnaire": "other.v1"}), lambda_context)
    assert len(everything["items"]) == 8
    assert [r["score"] for r in one["items"]] == [30]


def test_no_subject_is_unauthorised(table: None, lambda_context: Any) -> None:
    assert call(http_event(None), lambda_context) == (401, {"message": "Unauthorized"})


def test_the_user_never_comes_from_the_query(table: None, lambda_context: Any) -> None:
    _, body = call(http_event(ALICE, {"user": BOB, "userId": BOB}), lambda_context)
    assert {r["userId"] for r in body["items"]} == {ALICE}


def test_cursor_round_trip_and_refusals() -> None:
    position = {"pk": partition_of(ALICE), "sk": "REPORT#q#2026"}
    assert decode_cursor(encode_cursor(position), ALICE) == position
    with pytest.raises(HistoryRequestError, match="another user's"):
        decode_cursor(encode_cursor(position), BOB)
    with pytest.raises(HistoryRequestError, match="not one this API gave out"):
        decode_cursor(encode_cursor({"pk": partition_of(ALICE)}), ALICE)


def test_cors_preflight_and_answers_name_only_the_apps_origin(
    table: None, lambda_context: Any
) -> None:
    preflight = http_event(None)
    preflight["requestContext"]["http"]["method"] = "OPTIONS"
    preflight["routeKey"] = "OPTIONS /reports"
    preflight["headers"] = {
        "origin": APP,
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization",
    }
    answer = history_handler.lambda_handler(preflight, lambda_context)
    assert answer["statusCode"] == 204
    assert answer["headers"]["Access-Control-Allow-Origin"] == APP
    assert "Authorization" in answer["headers"]["Access-Control-Allow-Headers"]

    event = http_event(ALICE)
    event["headers"]["origin"] = APP
    assert (
        history_handler.lambda_handler(event, lambda_context)["headers"][
            "Access-Control-Allow-Origin"
        ]
        == APP
    )
    event["headers"]["origin"] = "https://evil.example.com"
    assert (
        "Access-Control-Allow-Origin"
        not in history_handler.lambda_handler(event, lambda_context)["headers"]
    )


def test_an_origin_with_a_path_is_a_settings_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from handlers.common.settings import SettingsError  # noqa: PLC0415

    monkeypatch.setenv("REPORTS_TABLE_NAME", "reports-test")
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://app.example.com/index.html")
    get_settings.cache_clear()
    with pytest.raises(SettingsError, match="is not an origin"):
        get_settings()
    get_settings.cache_clear()
