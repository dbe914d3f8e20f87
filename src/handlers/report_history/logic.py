"""Report history: one user's stored reports, newest first, a page at a time.

The user is always the caller (the ``sub`` of the token the HTTP API's JWT authoriser
checked); nothing in the request can name another user. A page ends with an opaque cursor:
the store's position, base64url-encoded. A cursor is accepted only for the caller's own
reports, so a cursor copied from another user's session (or forged) is refused, never
followed.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any, Protocol

MAX_PAGE_SIZE = 50
_USER_ID = re.compile(r"[A-Za-z0-9._:@-]{1,128}")
_QUESTIONNAIRE = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# ASCII digits only (str.isdigit() takes "²"), and few enough for int() to read.
_LIMIT = re.compile(r"[0-9]{1,2}")


class HistoryRequestError(ValueError):
    """The request cannot be served as asked; the message says what to change (HTTP 400)."""


@dataclass(frozen=True)
class Page:
    reports: list[dict[str, Any]]
    position: dict[str, str] | None  # where the next page starts; None at the end


class ReportReader(Protocol):
    def reports_of(
        self,
        user_id: str,
        questionnaire_id: str | None,
        limit: int,
        start: dict[str, str] | None,
    ) -> Page:
        """Stored reports of ``user_id`` (of one questionnaire, if given), newest first."""


def partition_of(user_id: str) -> str:
    """The reports table's partition key of a user (the same as report delivery writes)."""
    return f"USER#{user_id}"


def encode_cursor(position: dict[str, str]) -> str:
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, user_id: str) -> dict[str, str]:
    """The store position of ``cursor``; HistoryRequestError when it is not one of this
    user's positions."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise HistoryRequestError("cursor is not one this API gave out") from exc
    if (
        not isinstance(position, dict)
        or set(position) != {"pk", "sk"}
        or not all(isinstance(v, str) for v in position.values())
        or not position["sk"].startswith("REPORT#")
    ):
        raise HistoryRequestError("cursor is not one this API gave out")
    if position["pk"] != partition_of(user_id):
        raise HistoryRequestError("cursor belongs to another user's history")
    return position


def page_size(raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    if not _LIMIT.fullmatch(raw) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise HistoryRequestError(f"limit must be a whole number from 1 to {MAX_PAGE_SIZE}")
    return int(raw)


def history(
    reader: ReportReader,
    user_id: str,
    *,
    limit: str | None,
    cursor: str | None,
    questionnaire_id: str | None,
    default_limit: int,
) -> dict[str, Any]:
    """The page the caller asked for: ``{"items": [...], "nextCursor": str | None}``."""
    if not _USER_ID.fullmatch(user_id):
        # The authoriser vouched for the token; an id that cannot be a key is a config error.
        raise HistoryRequestError("the token's subject cannot name a user")
    if questionnaire_id is not None and not _QUESTIONNAIRE.fullmatch(questionnaire_id):
        raise HistoryRequestError(
            "questionnaire must be a questionnaire id such as account-security.v1"
        )
    size = page_size(limit, default_limit)
    start = decode_cursor(cursor, user_id) if cursor else None
    page = reader.reports_of(user_id, questionnaire_id, size, start)
    return {
        "items": page.reports,
        "nextCursor": encode_cursor(page.position) if page.position else None,
    }
