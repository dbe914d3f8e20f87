"""Each producer's event, built from its model, reaches the rule that must route it and no
other; the rule patterns are read from the plan, the events from the real producer code."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from handlers.contracts import (
    ANSWER_SUBMITTED,
    REPORT_READY,
    AnswerSubmitted,
    ReportReady,
    UploadReceived,
)
from local_runtime.events.patterns import UnsupportedPatternError, matches
from tests.terraform.tfplan import Plan

pytestmark = pytest.mark.terraform

# --- the matcher, proved on known cases (from the event-pattern reference's semantics) -----

EVENT = {
    "source": "platform.users",
    "detail-type": "AnswerSubmitted.v1",
    "detail": {"userId": "u-1", "value": 3, "tags": ["a", "b"], "state": "stored"},
}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"source": ["platform.users"]}, True),
        ({"source": ["platform.security", "platform.users"]}, True),  # OR within a field
        ({"source": ["platform.users"], "detail-type": ["ReportReady.v1"]}, False),  # AND
        ({"source": ["platform.user"]}, False),  # exact, not substring
        ({"detail": {"userId": ["u-1"]}}, True),  # nested object
        ({"detail": {"userId": ["u-2"]}}, False),
        ({"detail": {"tags": ["b"]}}, True),  # an array value matches any element
        ({"detail": {"value": [3]}}, True),
        ({"detail": {"value": ["3"]}}, False),  # types are not coerced
        ({"detail": {"missing": [None]}}, False),  # null is not absent
        ({"detail-type": [{"prefix": "Answer"}]}, True),
        ({"detail-type": [{"suffix": ".v2"}]}, False),
        ({"source": [{"anything-but": "platform.users"}]}, False),
        ({"source": [{"anything-but": ["platform.ingest"]}]}, True),
        ({"detail": {"missing": [{"exists": False}]}}, True),
        ({"detail": {"userId": [{"exists": False}]}}, False),
        ({"detail": {"state": [{"equals-ignore-case": "STORED"}]}}, True),
        ({"other": ["x"]}, False),  # a field the event lacks
    ],
)
def test_matcher_follows_eventbridge_semantics(pattern: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, EVENT) is expected


def test_matcher_refuses_what_it_does_not_implement() -> None:
    with pytest.raises(UnsupportedPatternError, match="numeric"):
        matches({"detail": {"value": [{"numeric": [">", 1]}]}}, EVENT)
    with pytest.raises(UnsupportedPatternError, match="arrays"):
        matches({"source": "platform.users"}, EVENT)


# --- each producer against the planned rules ------------------------------------------------


def bridge(entry: dict[str, Any]) -> dict[str, Any]:
    """The event EventBridge makes of a PutEvents entry (the fields patterns see)."""
    return {
        "version": "0",
        "id": "00000000-0000-0000-0000-000000000000",
        "detail-type": entry["DetailType"],
        "source": entry["Source"],
        "account": "123456789012",
        "time": "2026-11-22T08:00:00Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": json.loads(entry["Detail"]),
    }


def upload_from_the_http_api(plan: Plan) -> dict[str, Any]:
    """The ingest producer is the API's PutEvents integration: its planned parameters, the
    Detail template filled as API Gateway fills it (a body, the token's subject)."""
    params = plan.one("module.ingest_api.aws_apigatewayv2_integration.this[0]").after[
        "request_parameters"
    ]
    body = {
        "orderId": "ord-1",
        "currency": "EUR",
        "items": [{"sku": "BOOK-1", "quantity": 1, "unitPrice": "12.50"}],
    }
    detail = (
        params["Detail"]
        .replace("${request.body}", json.dumps(body))
        .replace("${context.authorizer.claims.sub}", "0f1e2d3c-4b5a-4697-8877-665544332211")
    )
    upload = UploadReceived.model_validate_json(detail)
    assert upload.customer_id == "0f1e2d3c-4b5a-4697-8877-665544332211"
    assert upload.order.order_id == "ord-1"
    return bridge(
        {
            "Source": params["Source"],
            "DetailType": params["DetailType"],
            "Detail": upload.model_dump_json(by_alias=True),
        }
    )


def answer_from_the_stream() -> dict[str, Any]:
    answer = AnswerSubmitted(
        user_id="u-1",
        questionnaire_id="account-security.v1",
        question_id="mfa",
        value=True,
        submitted_at=datetime(2026, 11, 22, 8, tzinfo=UTC),
        change="created",
    )
    return bridge(ANSWER_SUBMITTED.entry(answer, "bus"))


def report_from_the_security_service() -> dict[str, Any]:
    report = ReportReady(
        report_id="r-1",
        user_id="u-1",
        questionnaire_id="account-security.v1",
        score=25,
        level="critical",
        answered=1,
        total=7,
        pending=[],
        findings=[],
        generated_at=datetime(2026, 11, 22, 8, tzinfo=UTC),
    )
    return bridge(REPORT_READY.entry(report, "bus"))


def planned_patterns(plan: Plan) -> dict[str, dict[str, Any]]:
    return {
        r.after["name"]: json.loads(r.after["event_pattern"])
        for r in plan.of_type("aws_cloudwatch_event_rule")
    }


@pytest.mark.parametrize(
    ("producer", "routed_by"),
    [
        ("upload", {"platform-sandbox-capture-order", "platform-sandbox-notify"}),
        ("answer", {"platform-sandbox-security"}),
        ("report", {"platform-sandbox-report-delivery"}),
    ],
)
def test_each_event_reaches_its_rules_and_no_other(
    root_plan: Plan, producer: str, routed_by: set[str]
) -> None:
    event = {
        "upload": lambda: upload_from_the_http_api(root_plan),
        "answer": answer_from_the_stream,
        "report": report_from_the_security_service,
    }[producer]()
    patterns = planned_patterns(root_plan)
    assert len(patterns) == 4
    matched = {name for name, pattern in patterns.items() if matches(pattern, event)}
    assert matched == routed_by


def test_an_unversioned_or_foreign_event_reaches_no_rule(root_plan: Plan) -> None:
    event = answer_from_the_stream()
    for changed in ({"detail-type": "AnswerSubmitted"}, {"source": "platform.security"}):
        probe = {**event, **changed}
        assert not [p for p in planned_patterns(root_plan).values() if matches(p, probe)]
