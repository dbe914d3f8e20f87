"""Saved answers: what one user answered on one questionnaire, as the platform stored it.

The web app shows these as selected after a reload or on another device (from the
platform's data, not the browser's). The user is always the caller (the ``sub`` of the token
the HTTP API's JWT authoriser checked); nothing in the request can name another user.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from handlers.common.answers import StoredAnswer

_USER_ID = re.compile(r"[A-Za-z0-9._:@-]{1,128}")
_QUESTIONNAIRE = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class AnswersRequestError(ValueError):
    """The request cannot be served as asked; the message says what to change (HTTP 400)."""


class AnswerReader(Protocol):
    def answers_of(self, user_id: str, questionnaire_id: str) -> list[StoredAnswer]:
        """Every stored answer of ``user_id`` on ``questionnaire_id`` (one per question)."""


def saved_answers(
    reader: AnswerReader, user_id: str, questionnaire_id: str | None
) -> dict[str, Any]:
    """``{"questionnaireId": ..., "answers": [{"questionId", "value", "submittedAt"}, ...]}``,
    by question id."""
    if not _USER_ID.fullmatch(user_id):
        # The authoriser vouched for the token; an id that cannot be a key is a config error.
        raise AnswersRequestError("the token's subject cannot name a user")
    if not questionnaire_id:
        raise AnswersRequestError("questionnaire is required, such as account-security.v1")
    if not _QUESTIONNAIRE.fullmatch(questionnaire_id):
        raise AnswersRequestError(
            "questionnaire must be a questionnaire id such as account-security.v1"
        )
    answers = sorted(reader.answers_of(user_id, questionnaire_id), key=lambda a: a.question_id)
    return {
        "questionnaireId": questionnaire_id,
        "answers": [
            answer.model_dump(
                mode="json", by_alias=True, include={"question_id", "value", "submitted_at"}
            )
            for answer in answers
        ],
    }
