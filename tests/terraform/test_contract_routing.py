"""Each producer's event, built from its model, reaches the rule that must route it and no
other; the rule patterns are read from the plan, the events from the real producer code."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from handlers.common.events import parse_event
from handlers.contracts import (
    ANSWER_SUBMITTED,
    REPORT_READY,
    UPLOAD_RECEIVED,
    AnswerSubmitted,
    ReportReady,
    UploadReceived,
)
from local_runtime.events.patterns import Pattern
from tests.terraform.tfplan import Plan

pytestmark = pytest.mark.terraform

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
        "resources": entry.get("Resources", []),
        "detail": json.loads(entry["Detail"]),
    }


def upload_from_the_http_api(plan: Plan) -> dict[str, Any]:
    """The ingest producer is the API's PutEvents integration: its planned parameters, filled
    as API Gateway fills them (the body as the detail, the token's subject in Resources), and
    read back by the consumers' own parser."""
    params = plan.one("module.ingest_api.aws_apigatewayv2_integration.this[0]").after[
        "request_parameters"
    ]
    body = {
        "orderId": "ord-1",
        "currency": "EUR",
        "items": [{"sku": "BOOK-1", "quantity": 1, "unitPrice": "12.50"}],
    }
    assert params["Detail"] == "$request.body"
    sub = "0f1e2d3c-4b5a-4697-8877-665544332211"
    event = bridge(
        {
            "Source": params["Source"],
            "DetailType": params["DetailType"],
            "Detail": json.dumps(body),
            "Resources": [params["Resources"].replace("${context.authorizer.claims.sub}", sub)],
        }
    )
    upload = parse_event(event, UPLOAD_RECEIVED).detail
    assert isinstance(upload, UploadReceived)
    assert upload.customer_id == sub
    assert upload.order.order_id == "ord-1"
    # The contract's own producer side makes the same event.
    assert bridge(UPLOAD_RECEIVED.entry(upload, "bus")) == event
    return event


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


def planned_patterns(plan: Plan) -> dict[str, Pattern]:
    """Each planned rule's pattern, read as EventBridge reads it (the matcher is proved on its
    own corpus in tests/unit/runtime/test_patterns.py)."""
    return {
        r.after["name"]: Pattern(r.after["event_pattern"])
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
    matched = {name for name, pattern in patterns.items() if pattern.matches(event)}
    assert matched == routed_by


def test_an_unversioned_or_foreign_event_reaches_no_rule(root_plan: Plan) -> None:
    event = answer_from_the_stream()
    for changed in ({"detail-type": "AnswerSubmitted"}, {"source": "platform.security"}):
        probe = {**event, **changed}
        assert not [p for p in planned_patterns(root_plan).values() if p.matches(probe)]
