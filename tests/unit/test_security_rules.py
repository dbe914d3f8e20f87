"""The questionnaire's documented scoring (src/handlers/security/rules.py, docs/security.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from handlers.common.models import AnswerValue
from handlers.security.rules import ACCOUNT_SECURITY, QUESTIONNAIRES, evaluate, level_of

ROOT = Path(__file__).resolve().parents[2]
SECURITY_DOC = ROOT / "docs" / "security.md"
BEST: dict[str, Any] = {
    "mfa": True,
    "password-reuse": "never",
    "password-manager": True,
    "updates": "automatic",
    "backups": "daily",
    "phishing-training": 3,
    "disk-encryption": True,
}
WORST: dict[str, Any] = {
    "mfa": False,
    "password-reuse": "often",
    "password-manager": False,
    "updates": "rarely",
    "backups": "never",
    "phishing-training": 40,
    "disk-encryption": False,
}


def test_weights_add_up_to_100_and_ids_are_unique() -> None:
    assert sum(q.weight for q in ACCOUNT_SECURITY.questions) == 100
    ids = [q.id for q in ACCOUNT_SECURITY.questions]
    assert len(ids) == len(set(ids)) == 7
    assert set(QUESTIONNAIRES) == {"account-security.v1"}


def test_best_answers_score_100_with_no_findings() -> None:
    report = evaluate(ACCOUNT_SECURITY, BEST)
    assert (report.score, report.level, report.findings, report.pending) == (100, "low", [], [])
    assert (report.answered, report.total) == (7, 7)


def test_worst_answers_score_0_with_a_finding_per_question() -> None:
    report = evaluate(ACCOUNT_SECURITY, WORST)
    assert (report.score, report.level) == (0, "critical")
    assert [f.question_id for f in report.findings] == [
        "mfa",  # critical: 25 points lost
        "password-reuse",  # critical: 20
        "password-manager",  # high: 15
        "updates",  # high: 15
        "backups",  # high: 10
        "phishing-training",  # high: 10
        "disk-encryption",  # medium: 5
    ]
    assert [f.severity for f in report.findings] == [
        "critical",
        "critical",
        "high",
        "high",
        "high",
        "high",
        "medium",
    ]


def test_partial_credit_and_pending_questions() -> None:
    answers: dict[str, AnswerValue] = {
        "mfa": True,
        "password-reuse": "Rarely ",
        "backups": "weekly",
        "phishing-training": 18,
    }
    report = evaluate(ACCOUNT_SECURITY, answers)
    # 25 + 20 * 0.5 + 10 * 0.7 + 10 * 0.5 = 47
    assert report.score == 47
    assert report.level == "high"
    assert report.pending == ["password-manager", "updates", "disk-encryption"]
    assert {f.question_id: f.severity for f in report.findings} == {
        "password-reuse": "high",  # 10 points lost
        "phishing-training": "medium",  # 5
        "backups": "low",  # 3
    }


@pytest.mark.parametrize(
    ("question", "value", "accepted"),
    [
        ("mfa", "yes", "true or false"),
        ("password-reuse", "sometimes", "one of never, rarely, often"),
        ("phishing-training", -1, "a number of months, 0 or more"),
        ("phishing-training", True, "a number of months, 0 or more"),
        ("backups", ["daily"], "one of daily, weekly, monthly, never"),
    ],
)
def test_an_answer_that_does_not_fit_earns_nothing_and_says_what_fits(
    question: str, value: Any, accepted: str
) -> None:
    report = evaluate(ACCOUNT_SECURITY, {**BEST, question: value})
    weight = ACCOUNT_SECURITY.question(question).weight  # type: ignore[union-attr]
    assert report.score == 100 - weight
    (finding,) = report.findings
    assert finding.question_id == question
    assert finding.title == "Answer not understood"
    assert finding.recommendation.endswith(f"with {accepted}.")


def test_answers_to_unknown_questions_are_ignored() -> None:
    assert evaluate(ACCOUNT_SECURITY, {**BEST, "favourite-colour": "blue"}).score == 100


@pytest.mark.parametrize(
    ("score", "level"),
    [(100, "low"), (80, "low"), (79, "medium"), (60, "medium"), (59, "high"), (40, "high"),
     (39, "critical"), (0, "critical")],
)  # fmt: skip
def test_levels_follow_the_documented_bands(score: int, level: str) -> None:
    assert level_of(score) == level


def test_the_docs_document_every_question_with_its_weight() -> None:
    text = SECURITY_DOC.read_text()
    section = text[text.index("## Security assessment") :]
    rows = dict(re.findall(r"^\| `([a-z-]+)` \| [^|]+ \| (\d+) \|", section, re.MULTILINE))
    assert rows == {q.id: str(q.weight) for q in ACCOUNT_SECURITY.questions}


def test_the_exported_questionnaire_scores_as_the_service_does() -> None:
    """schemas/questionnaires.json (what the web app shows) agrees with the scoring code:
    every exported choice earns the exported credit, and the file is what make schemas writes."""
    exported = json.loads((ROOT / "schemas" / "questionnaires.json").read_text())
    assert [q["id"] for q in exported] == list(QUESTIONNAIRES)
    for document in exported:
        questionnaire = QUESTIONNAIRES[document["id"]]
        assert [q["id"] for q in document["questions"]] == [q.id for q in questionnaire.questions]
        assert sum(q["weight"] for q in document["questions"]) == 100
        for spec in document["questions"]:
            question = questionnaire.question(spec["id"])
            assert question is not None
            assert (spec["text"], spec["weight"]) == (question.text, question.weight)
            for choice in spec.get("choices", []):
                assert question.credit(choice["value"]) == choice["credit"]
            for bound in spec.get("bounds", []):
                assert question.credit(bound["upTo"]) == bound["credit"]
