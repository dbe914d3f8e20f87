"""EventBridge's errors, one idiom: a typed error and its one rendering.

EventBridge speaks AWS's JSON 1.1 protocol: an error is an HTTP status and
``{"__type": <code>, "message": <text>}`` (botocore reads the code from ``__type``). The codes
and statuses are the error shapes of each operation in botocore's ``events`` service model
(``tests/unit/runtime/test_shapes.py`` checks every answer against them).
"""

from __future__ import annotations

from typing import Any


class EventsError(Exception):
    """An EventBridge API error: its code, its message and its HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        self.code = code
        self.message = message
        self.status = status
        super().__init__(f"{code}: {message}")

    def render(self) -> tuple[int, dict[str, Any]]:
        return self.status, {"__type": self.code, "message": self.message}
