"""The security questionnaire and how its answers are scored. Plain data and functions.

Questionnaire ``account-security.v1`` asks seven questions about how a person protects
their accounts and devices. Each question has a weight; the weights add up to 100. An
answer earns ``weight x credit`` points, where the credit (0 to 1) comes from the question's
table below. The score is the sum over the questionnaire: a question not answered yet earns
nothing and is listed as pending, so a report is a snapshot that improves as answers come
in. An answer of the wrong type, or not among a question's choices, earns nothing and gets a
finding saying what is accepted.

Level, from the score: 80-100 low risk, 60-79 medium, 40-59 high, 0-39 critical.

Every answer that earns less than full credit is a finding. Its severity comes from the
points it loses: 20 or more critical, 10 or more high, 5 or more medium, less than 5 low.

The README's "Security assessment" section shows the same table; a test keeps the two equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from handlers.common.models import AnswerValue
from handlers.contracts import Finding, Severity


@dataclass(frozen=True)
class Question:
    """One question: its weight, and what to do when an answer falls short."""

    id: str
    text: str
    weight: int
    title: str
    recommendation: str

    def credit(self, value: AnswerValue) -> float | None:
        """The credit (0 to 1) of ``value``, or None when it does not answer this question."""
        raise NotImplementedError

    def accepted(self) -> str:
        """What answers this question, in words."""
        raise NotImplementedError

    def answer_form(self) -> dict[str, object]:
        """How this question is answered, for clients (``make schemas`` exports it)."""
        raise NotImplementedError

    def export(self) -> dict[str, object]:
        """The question as clients see it: text, weight and how it is answered."""
        return {"id": self.id, "text": self.text, "weight": self.weight} | self.answer_form()


@dataclass(frozen=True)
class YesNo(Question):
    """Answered with true or false; ``yes`` and ``no`` are their credits."""

    yes: float = 1.0
    no: float = 0.0

    def credit(self, value: AnswerValue) -> float | None:
        if not isinstance(value, bool):
            return None
        return self.yes if value else self.no

    def accepted(self) -> str:
        return "true or false"

    def answer_form(self) -> dict[str, object]:
        return {
            "kind": "yes-no",
            "choices": [
                {"value": True, "label": "Yes", "credit": self.yes},
                {"value": False, "label": "No", "credit": self.no},
            ],
        }


@dataclass(frozen=True)
class Choice(Question):
    """Answered with one of ``choices`` (case and surrounding spaces do not matter)."""

    choices: Mapping[str, float] = field(default_factory=dict)

    def credit(self, value: AnswerValue) -> float | None:
        if not isinstance(value, str):
            return None
        return self.choices.get(value.strip().lower())

    def accepted(self) -> str:
        return "one of " + ", ".join(self.choices)

    def answer_form(self) -> dict[str, object]:
        return {
            "kind": "choice",
            "choices": [
                {"value": value, "label": value.capitalize(), "credit": credit}
                for value, credit in self.choices.items()
            ],
        }


@dataclass(frozen=True)
class Months(Question):
    """Answered with a number of months; ``bounds`` gives the credit up to each bound, in
    increasing order. Above the last bound: no credit."""

    bounds: tuple[tuple[int, float], ...] = ()

    def credit(self, value: AnswerValue) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            return None
        return next((credit for bound, credit in self.bounds if value <= bound), 0.0)

    def accepted(self) -> str:
        return "a number of months, 0 or more"

    def answer_form(self) -> dict[str, object]:
        return {
            "kind": "months",
            "bounds": [{"upTo": bound, "credit": credit} for bound, credit in self.bounds],
        }


@dataclass(frozen=True)
class Questionnaire:
    id: str
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def export(self) -> dict[str, object]:
        """The questionnaire as the web app shows it (``make schemas``)."""
        return {"id": self.id, "questions": [q.export() for q in self.questions]}


ACCOUNT_SECURITY = Questionnaire(
    id="account-security.v1",
    questions=(
        YesNo(
            id="mfa",
            text="Is multi-factor authentication on for every account that offers it?",
            weight=25,
            title="Multi-factor authentication is off",
            recommendation=(
                "Turn on multi-factor authentication with an authenticator app or a security "
                "key, e-mail and banking first: a stolen password alone then opens nothing."
            ),
        ),
        Choice(
            id="password-reuse",
            text="How often do you use the same password for more than one account?",
            weight=20,
            choices={"never": 1.0, "rarely": 0.5, "often": 0.0},
            title="Passwords are reused",
            recommendation=(
                "Give every account its own password, starting with e-mail: whoever gets into "
                "your e-mail can reset the passwords of everything else."
            ),
        ),
        YesNo(
            id="password-manager",
            text="Do you keep your passwords in a password manager?",
            weight=15,
            title="No password manager",
            recommendation=(
                "Use a password manager, so that each account can have a long random password "
                "you never have to remember."
            ),
        ),
        Choice(
            id="updates",
            text="How do your operating system and browser get their updates?",
            weight=15,
            choices={"automatic": 1.0, "monthly": 0.5, "rarely": 0.0},
            title="Updates are not automatic",
            recommendation=(
                "Turn on automatic updates for the operating system, the browser and its "
                "extensions: most attacks use holes that are already fixed."
            ),
        ),
        Choice(
            id="backups",
            text="How often are your files backed up?",
            weight=10,
            choices={"daily": 1.0, "weekly": 0.7, "monthly": 0.3, "never": 0.0},
            title="Backups are rare or missing",
            recommendation=(
                "Back up automatically every day, keep one copy offline, and try a restore "
                "now and then: ransomware and lost laptops then cost a day, not everything."
            ),
        ),
        Months(
            id="phishing-training",
            text="How many months ago was your last phishing-awareness training?",
            weight=10,
            bounds=((12, 1.0), (24, 0.5)),
            title="Phishing training is out of date",
            recommendation=(
                "Take a phishing-awareness refresher once a year; check the sender's address "
                "and the link's real target before you sign in anywhere from an e-mail."
            ),
        ),
        YesNo(
            id="disk-encryption",
            text="Is full-disk encryption on for your laptop and phone?",
            weight=5,
            title="Disks are not encrypted",
            recommendation=(
                "Turn on full-disk encryption (FileVault, BitLocker, or the phone's own) so "
                "that a lost device does not give its files away."
            ),
        ),
    ),
)

QUESTIONNAIRES: dict[str, Questionnaire] = {ACCOUNT_SECURITY.id: ACCOUNT_SECURITY}


@dataclass(frozen=True)
class Assessment:
    score: int
    level: Severity
    answered: int
    total: int
    pending: list[str]
    findings: list[Finding]


def level_of(score: int) -> Severity:
    if score >= 80:
        return "low"
    if score >= 60:
        return "medium"
    if score >= 40:
        return "high"
    return "critical"


def severity_of(points_lost: float) -> Severity:
    if points_lost >= 20:
        return "critical"
    if points_lost >= 10:
        return "high"
    if points_lost >= 5:
        return "medium"
    return "low"


def evaluate(questionnaire: Questionnaire, answers: Mapping[str, AnswerValue]) -> Assessment:
    """Score ``answers`` (question id -> value) against ``questionnaire``.

    Answers to questions the questionnaire does not have are ignored.
    """
    earned = 0.0
    pending: list[str] = []
    findings: list[Finding] = []
    for question in questionnaire.questions:
        if question.id not in answers:
            pending.append(question.id)
            continue
        credit = question.credit(answers[question.id])
        if credit is None:
            findings.append(
                Finding(
                    question_id=question.id,
                    severity=severity_of(question.weight),
                    title="Answer not understood",
                    recommendation=f"Answer {question.text!r} with {question.accepted()}.",
                )
            )
            continue
        earned += question.weight * credit
        lost = question.weight * (1 - credit)
        if lost > 0:
            findings.append(
                Finding(
                    question_id=question.id,
                    severity=severity_of(lost),
                    title=question.title,
                    recommendation=question.recommendation,
                )
            )
    score = round(earned)
    # Most severe first; the sort is stable, so equals keep the questionnaire's order.
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    findings.sort(key=lambda f: order[f.severity])
    return Assessment(
        score=score,
        level=level_of(score),
        answered=len(questionnaire.questions) - len(pending),
        total=len(questionnaire.questions),
        pending=pending,
        findings=findings,
    )
