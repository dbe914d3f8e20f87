"""The Event API's errors, one idiom: an operation refused with an error type and a message,
rendered as the WebSocket protocol carries it (``errors: [{errorType, message}]``) or as the
HTTP endpoint answers it (a status and the same ``errors`` list).

The error types, each from AWS's material (README, "What differs from AWS", lists where AWS
documents none for the Event API itself):

- ``BadRequestException``, ``UnauthorizedException``: the two error types AWS's Amplify JS
  client treats as final for the Event API (``NON_RETRYABLE_ERROR_TYPES`` in
  ``@aws-amplify/api-graphql`` ``Providers/constants``, beside HTTP 400, 401 and 403); the
  unauthorised message is AppSync's ("You are not authorized to make this call.").
- ``UnknownOperationError`` with "Unknown operation id <id>": an ``unsubscribe`` of an id
  the connection does not hold (aws-appsync-events-swift, ``AppSyncWebSocketClientTests``).
- ``SubscriptionProcessingError`` with "There was an error processing the operation": a
  subscription the service could not set up (the same tests' ``subscribe_error``).
- ``MessageProcessingError`` with "There was an error processing the message": an event
  that cannot be delivered, in a ``broadcast_error`` (the same tests).
- ``DuplicatedOperationError``, ``MaxSubscriptionsReachedError``, ``UnsupportedOperation``:
  AppSync's real-time WebSocket errors for an id used twice, a connection over its
  subscriptions, and a message of an unknown type ("Building a real-time WebSocket client in
  AWS AppSync", the GraphQL protocol the Event API's is built on).
"""

from __future__ import annotations

from typing import NoReturn

from aiohttp import web

UNAUTHORIZED = "You are not authorized to make this call."
BAD_REQUEST = "BadRequestException"
UNAUTHORIZED_EXCEPTION = "UnauthorizedException"
UNKNOWN_OPERATION = "UnknownOperationError"
SUBSCRIPTION_PROCESSING = "SubscriptionProcessingError"
SUBSCRIPTION_PROCESSING_MESSAGE = "There was an error processing the operation"
MESSAGE_PROCESSING = "MessageProcessingError"
MESSAGE_PROCESSING_MESSAGE = "There was an error processing the message"
DUPLICATED_OPERATION = "DuplicatedOperationError"
MAX_SUBSCRIPTIONS_REACHED = "MaxSubscriptionsReachedError"
UNSUPPORTED_OPERATION = "UnsupportedOperation"


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
