"""Producers build events only through the contracts' ``entry``."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from handlers.contracts import ANSWER_SUBMITTED, REPORT_READY, UPLOAD_RECEIVED, AnswerSubmitted

ANSWER = AnswerSubmitted(
    user_id="u-1",
    questionnaire_id="account-security.v1",
    question_id="mfa",
    value=True,
    submitted_at=datetime(2026, 11, 22, 8, 0, tzinfo=UTC),
    change="created",
)


def test_entry_carries_the_contracts_source_detail_type_and_camel_case_detail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("_X_AMZN_TRACE_ID", raising=False)
    entry = ANSWER_SUBMITTED.entry(ANSWER, "bus-1")
    assert entry == {
        "Source": "platform.users",
        "DetailType": "AnswerSubmitted.v1",
        "Detail": entry["Detail"],
        "EventBusName": "bus-1",
    }
    assert json.loads(entry["Detail"]) == {
        "userId": "u-1",
        "questionnaireId": "account-security.v1",
        "questionId": "mfa",
        "value": True,
        "submittedAt": "2026-11-22T08:00:00Z",
        "change": "created",
    }


def test_entry_passes_the_functions_trace_header_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", "Root=1-abc;Parent=def;Sampled=1")
    entry = ANSWER_SUBMITTED.entry(ANSWER, "bus-1")
    assert entry["TraceHeader"] == "Root=1-abc;Parent=def;Sampled=1"


@pytest.mark.parametrize("contract", [REPORT_READY, UPLOAD_RECEIVED])
def test_entry_refuses_a_detail_of_another_contract(contract: object) -> None:
    with pytest.raises(TypeError, match=r"carries \w+, not AnswerSubmitted"):
        contract.entry(ANSWER, "bus-1")  # type: ignore[attr-defined]


def test_versions_are_in_the_detail_type() -> None:
    for contract in (ANSWER_SUBMITTED, REPORT_READY, UPLOAD_RECEIVED):
        assert re.fullmatch(r"[A-Za-z]+\.v[1-9][0-9]*", contract.detail_type)
