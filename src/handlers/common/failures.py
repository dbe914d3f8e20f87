"""Permanent or transient: one classification of failures, used by every consumer.

A **permanent** failure is input that can never succeed however often it is retried: an event
that breaks its contract, an answer to a questionnaire no service evaluates, a value
DynamoDB or PutEvents refuses (``ValidationException``), an entry over EventBridge's size
limit. Retrying it burns the retries and then parks it among the real outages, so it goes
straight to the platform's poison queue with its reason (``handlers.common.poison``).

A **transient** failure is everything else: throttling, timeouts, 5xx answers, a network
error, and also what an operator fixes (a missing permission, a webhook that is down). It
keeps its retries, then waits in a failure queue for ``platform-ops redrive``.

Free of boto3 (handlers import it on their cold path): AWS errors are read by duck typing
(``exc.response["Error"]["Code"]``), as botocore's ``ClientError`` carries them.
"""

from __future__ import annotations

from typing import Any, Literal

Kind = Literal["permanent", "transient"]

# Error codes that say the request itself is wrong: the same request fails every time.
# DynamoDB: ValidationException (an item or value it cannot hold, a key of the wrong type),
# SerializationException; EventBridge: ValidationException (a detail that is not JSON,
# source or detail-type too long). Codes named in the AWS API references of each service.
PERMANENT_CODES = frozenset(
    {"ValidationException", "SerializationException", "InvalidParameterValueException"}
)

# Error codes that say "try again later" (throttling and the services' internal errors),
# which a caller retries with backoff before giving up.
TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "LimitExceededException",
        "InternalFailure",
        "InternalServerError",
        "InternalServerException",
        "InternalException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "TransactionConflictException",
    }
)


class PermanentError(Exception):
    """Input that can never succeed. Subclasses say what was wrong; the message is the reason
    an operator reads in the poison queue."""


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a botocore ``ClientError`` (None for anything else)."""
    response: Any = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    code = (response.get("Error") or {}).get("Code")
    return str(code) if code else None


def classify(exc: BaseException) -> Kind:
    """``permanent`` for input that can never succeed, ``transient`` for the rest."""
    if isinstance(exc, PermanentError):
        return "permanent"
    if error_code(exc) in PERMANENT_CODES:
        return "permanent"
    return "transient"


def is_retryable_code(code: str | None) -> bool:
    """True for an AWS error code worth retrying within the invocation (with backoff)."""
    return code in TRANSIENT_CODES
