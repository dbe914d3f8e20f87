"""The contracts as EventBridge's schema registry takes them: the whole event, JSON Schema
Draft 4 (tools/export_contracts.py writes them into terraform/contracts.json)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from export_contracts import event_schema
from handlers.contracts import (
    ANSWER_SUBMITTED,
    CONTRACTS,
    REPORT_READY,
    AnswerSubmitted,
    ReportReady,
)

ROOT = Path(__file__).parents[2]
ENVELOPE = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "account": "123456789012",
    "time": "2026-12-05T12:00:00Z",
    "region": "eu-west-1",
    "resources": [],
}


def event(entry: dict[str, Any]) -> dict[str, Any]:
    """The event a rule's target receives for a PutEvents entry."""
    return {
        **ENVELOPE,
        "detail-type": entry["DetailType"],
        "source": entry["Source"],
        "detail": json.loads(entry["Detail"]),
    }


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_each_schema_is_draft4(name: str) -> None:
    schema = event_schema(CONTRACTS[name])
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    Draft4Validator.check_schema(schema)
    text = json.dumps(schema)
    for later in ('"$defs"', '"const"', '"$id"', "#/$defs/"):
        assert later not in text, f"{name}: {later} is not Draft 4"


def test_real_events_fit_and_strangers_do_not() -> None:
    answer = AnswerSubmitted(
        user_id="u-1",
        questionnaire_id="account-security.v1",
        question_id="mfa",
        value=True,
        submitted_at=datetime(2026, 12, 5, 8, 0, tzinfo=UTC),
        change="created",
    )
    validator = Draft4Validator(event_schema(ANSWER_SUBMITTED))
    good = event(ANSWER_SUBMITTED.entry(answer, "bus"))
    assert list(validator.iter_errors(good)) == []
    wrong_type = {**good, "detail-type": "ReportReady.v1"}
    missing = {**good, "detail": {k: v for k, v in good["detail"].items() if k != "userId"}}
    assert list(validator.iter_errors(wrong_type))
    assert list(validator.iter_errors(missing))


def test_a_report_fits_its_schema() -> None:
    report = ReportReady.model_validate(
        {
            "reportId": "r-1",
            "userId": "u-1",
            "questionnaireId": "account-security.v1",
            "score": 40,
            "level": "high",
            "answered": 1,
            "total": 7,
            "pending": ["password-manager"],
            "findings": [],
            "generatedAt": "2026-12-05T08:00:00Z",
        }
    )
    validator = Draft4Validator(event_schema(REPORT_READY))
    assert list(validator.iter_errors(event(REPORT_READY.entry(report, "bus")))) == []


def test_terraform_takes_them_from_contracts_json() -> None:
    exported = json.loads((ROOT / "terraform" / "contracts.json").read_text())
    assert {k: v["event_schema"] for k, v in exported.items()} == {
        k: json.loads(json.dumps(event_schema(c))) for k, c in CONTRACTS.items()
    }
