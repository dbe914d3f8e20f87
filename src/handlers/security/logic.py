"""The security service's logic: record an answer, evaluate the questionnaire, make the report.

No AWS and no Powertools here; the store is passed in.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from handlers.common.failures import PermanentError
from handlers.common.models import AnswerValue
from handlers.contracts import AnswerSubmitted, ReportReady
from handlers.security.rules import QUESTIONNAIRES, evaluate

Clock = Callable[[], datetime]
SendReport = Callable[[ReportReady], None]

# Report ids are UUIDv5 of the answer that triggered them, in this namespace.
REPORT_NAMESPACE = uuid.UUID("6f1c3d2e-8a4b-5c6d-9e0f-1a2b3c4d5e6f")


class UnknownQuestionnaireError(PermanentError, LookupError):
    """The answer belongs to no questionnaire this service evaluates (permanent)."""


class AssessmentStore(Protocol):
    """The service's own copy of each user's answers, kept from ``AnswerSubmitted`` events."""

    def record_answer(self, answer: AnswerSubmitted) -> bool:
        """Keep ``answer`` unless a newer answer to the same question is kept already.

        True when it was kept, False when it arrived after a newer one.
        """

    def answers(self, user_id: str, questionnaire_id: str) -> dict[str, AnswerValue]:
        """Question id -> latest answer of the user to the questionnaire."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def report_id(answer: AnswerSubmitted) -> str:
    """The same answer always gives the same id: a redelivery cannot make another report."""
    name = "|".join(
        (
            answer.user_id,
            answer.questionnaire_id,
            answer.question_id,
            answer.submitted_at.isoformat(),
        )
    )
    return str(uuid.uuid5(REPORT_NAMESPACE, name))


def assess(answer: AnswerSubmitted, store: AssessmentStore, now: Clock = utc_now) -> ReportReady:
    """Record ``answer`` and report on the user's questionnaire as it now stands."""
    questionnaire = QUESTIONNAIRES.get(answer.questionnaire_id)
    if questionnaire is None:
        known = ", ".join(sorted(QUESTIONNAIRES))
        raise UnknownQuestionnaireError(
            f"questionnaire {answer.questionnaire_id!r} is not evaluated here (known: {known})"
        )
    store.record_answer(answer)
    assessment = evaluate(questionnaire, store.answers(answer.user_id, answer.questionnaire_id))
    return ReportReady(
        report_id=report_id(answer),
        user_id=answer.user_id,
        questionnaire_id=questionnaire.id,
        score=assessment.score,
        level=assessment.level,
        answered=assessment.answered,
        total=assessment.total,
        pending=assessment.pending,
        findings=assessment.findings,
        generated_at=now(),
    )


def assess_and_send(
    answer: AnswerSubmitted, store: AssessmentStore, send: SendReport, now: Clock = utc_now
) -> ReportReady:
    """The service's step for one answer: record it, assess, send the report (``send`` puts
    it on the bus and raises when it was not put)."""
    report = assess(answer, store, now)
    send(report)
    return report


def summary(report: ReportReady) -> dict[str, Any]:
    """What the function returns (and the idempotency table keeps) for a report sent."""
    return {"reportId": report.report_id, "score": report.score, "level": report.level}
