"""The Event API's errors, one idiom: an operation refused with an error type and a message,
rendered as the WebSocket protocol carries it (``errors: [{errorType, message}]``) or as the
HTTP endpoint answers it (a status and the same ``errors`` list)."""

from __future__ import annotations

from typing import NoReturn

from aiohttp import web

UNAUTHORIZED = "You are not authorized to make this call."


class OperationError(Exception):
    """An operation refused with AWS's error type and message."""

    def __init__(self, error_type: str, message: str) -> None:
        self.error_type = error_type
        self.message = message
        super().__init__(f"{error_type}: {message}")

    def errors(self) -> list[dict[str, str]]:
        return [{"errorType": self.error_type, "message": self.message}]


def refuse(error_type: str, message: str) -> NoReturn:
    raise OperationError(error_type, message)


def error_response(status: int, error_type: str, message: str) -> web.Response:
    return web.json_response(
        {"errors": [{"errorType": error_type, "message": message}]}, status=status
    )
