"""Saved answers (GET /answers?questionnaire=<id>): the caller's stored answers to one form."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from handlers.channels.dal import DynamoDBAnswerStore
from handlers.common.answers import StoredAnswer
from handlers.saved_answers import handler as answers_handler
from handlers.saved_answers.dal import DynamoDBAnswerReader
from handlers.saved_answers.settings import get_settings
from tests.unit import http_api
from tests.unit.aws import REGION, create_table
from tests.unit.conftest import metric_values

ALICE = "0f1e2d3c-4b5a-4697-8877-665544332211"
BOB = "9a8b7c6d-5e4f-4321-8765-1234567890ab"
APP = "https://d111111abcdef8.cloudfront.net"
FORM = "account-security.v1"
START = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def answer(user: str, question: str, value: Any, minute: int = 0, form: str = FORM) -> StoredAnswer:
    return StoredAnswer(
        user_id=user,
        questionnaire_id=form,
        question_id=question,
        value=value,
        submitted_at=START + timedelta(minutes=minute),
    )


def store() -> DynamoDBAnswerStore:
    """The channel handler's own store: the items are laid out as it writes them."""
    return DynamoDBAnswerStore("answers-test", boto3.client("dynamodb", region_name=REGION))


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ANSWERS_TABLE_NAME", "answers-test")
    monkeypatch.setenv("ALLOWED_ORIGINS", APP)
    get_settings.cache_clear()
    answers_handler.reader.cache_clear()
    answers_handler.api.cache_clear()
    with mock_aws():
        create_table("answers-test")
        for item in (
            answer(ALICE, "mfa", True),
            answer(ALICE, "backups", "weekly", 1),
            answer(ALICE, "mfa", False, 2),  # a changed answer replaces the first
            answer(ALICE, "other-q", 3, form="other.v1"),
            answer(BOB, "mfa", True),
        ):
            store().put_answer(item)
        yield
    answers_handler.reader.cache_clear()


def call(sub: str | None, query: dict[str, str] | None, context: Any) -> tuple[int, Any]:
    event = http_api.http_event("GET /answers", "/answers", sub, query)
    response = answers_handler.lambda_handler(event, context)
    return response["statusCode"], json.loads(response["body"])


def test_the_callers_answers_to_one_questionnaire(
    table: None, lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    status, body = call(ALICE, {"questionnaire": FORM}, lambda_context)
    assert status == 200
    assert body == {
        "questionnaireId": FORM,
        "answers": [
            {"questionId": "backups", "value": "weekly", "submittedAt": "2026-11-22T08:01:00Z"},
            {"questionId": "mfa", "value": False, "submittedAt": "2026-11-22T08:02:00Z"},
        ],
    }
    assert metric_values(capsys.readouterr().out)["SavedAnswersServed"] == 1


def test_numbers_come_back_as_numbers(table: None, lambda_context: Any) -> None:
    _, body = call(ALICE, {"questionnaire": "other.v1"}, lambda_context)
    assert body["answers"] == [
        {"questionId": "other-q", "value": 3, "submittedAt": "2026-11-22T08:00:00Z"}
    ]


def test_the_user_never_comes_from_the_query(table: None, lambda_context: Any) -> None:
    _, body = call(BOB, {"questionnaire": FORM, "user": ALICE, "userId": ALICE}, lambda_context)
    assert [a["value"] for a in body["answers"]] == [True]


def test_nothing_answered_is_an_empty_list(table: None, lambda_context: Any) -> None:
    assert call(
        "c0ffee00-0000-4000-8000-000000000000", {"questionnaire": FORM}, lambda_context
    ) == (
        200,
        {"questionnaireId": FORM, "answers": []},
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (None, "questionnaire is required, such as account-security.v1"),
        ({"questionnaire": ""}, "questionnaire is required, such as account-security.v1"),
        (
            {"questionnaire": "a#b"},
            "questionnaire must be a questionnaire id such as account-security.v1",
        ),
        (
            {"questionnaire": "x" * 65},
            "questionnaire must be a questionnaire id such as account-security.v1",
        ),
    ],
)
def test_bad_parameters_get_a_clear_400(
    table: None,
    lambda_context: Any,
    capsys: pytest.CaptureFixture[str],
    query: dict[str, str] | None,
    message: str,
) -> None:
    assert call(ALICE, query, lambda_context) == (400, {"message": message})
    assert metric_values(capsys.readouterr().out)["AnswersRequestsRefused"] == 1


def test_no_subject_is_unauthorised(table: None, lambda_context: Any) -> None:
    assert call(None, {"questionnaire": FORM}, lambda_context) == (401, {"message": "Unauthorized"})


def test_a_subject_that_cannot_be_a_key_is_refused(table: None, lambda_context: Any) -> None:
    status, body = call("alice\n", {"questionnaire": FORM}, lambda_context)
    assert (status, body) == (400, {"message": "the token's subject cannot name a user"})


def test_every_page_is_read(table: None) -> None:
    """A partition larger than one Query page (1 MB) still comes back whole."""
    client = boto3.client("dynamodb", region_name=REGION)
    for n in range(40):
        store().put_answer(answer(ALICE, f"q{n:02d}", "x" * 900, form="big.v1"))
    pages: list[int] = []
    real_query = client.query

    def small_pages(**query: Any) -> Any:
        page = real_query(**{**query, "Limit": 15})
        pages.append(len(page["Items"]))
        return page

    client.query = small_pages
    answers = DynamoDBAnswerReader("answers-test", client).answers_of(ALICE, "big.v1")
    assert len(answers) == 40
    assert pages == [15, 15, 10]


def test_cors_answers_name_only_the_apps_origin(table: None, lambda_context: Any) -> None:
    event = http_api.http_event("GET /answers", "/answers", ALICE, {"questionnaire": FORM})
    event["headers"]["origin"] = APP
    headers = answers_handler.lambda_handler(event, lambda_context)["headers"]
    assert headers["Access-Control-Allow-Origin"] == APP
    event["headers"]["origin"] = "https://evil.example.com"
    headers = answers_handler.lambda_handler(event, lambda_context)["headers"]
    assert "Access-Control-Allow-Origin" not in headers
