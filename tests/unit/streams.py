"""DynamoDB stream records shaped as Lambda receives them, and a recording EventBridge client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

STREAM_ARN = (
    "arn:aws:dynamodb:eu-west-1:123456789012:table/answers-test/stream/2026-11-22T00:00:00.000"
)
_serializer = TypeSerializer()


def answer_item(
    user: str = "u-1",
    question: str = "mfa",
    value: Any = True,
    submitted_at: str = "2026-11-22T08:00:00+00:00",
    questionnaire: str = "account-security.v1",
) -> dict[str, Any]:
    """An item as the channel handler stores it (handlers/common/answers.py)."""
    return {
        "pk": f"USER#{user}",
        "sk": f"ANSWER#{questionnaire}#{question}",
        "userId": user,
        "questionnaireId": questionnaire,
        "questionId": question,
        "value": Decimal(str(value)) if isinstance(value, float) else value,
        "submittedAt": submitted_at,
    }


def typed(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items()}


def stream_record(
    sequence: int,
    new: dict[str, Any] | None,
    old: dict[str, Any] | None = None,
    event_name: str | None = None,
) -> dict[str, Any]:
    name = event_name or ("REMOVE" if new is None else "MODIFY" if old else "INSERT")
    key_source = new or old or {}
    dynamodb: dict[str, Any] = {
        "ApproximateCreationDateTime": 1_795_000_000,
        "Keys": typed({"pk": key_source["pk"], "sk": key_source["sk"]}),
        "SequenceNumber": f"{sequence:021d}",
        "SizeBytes": 200,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if new is not None:
        dynamodb["NewImage"] = typed(new)
    if old is not None:
        dynamodb["OldImage"] = typed(old)
    return {
        "eventID": f"e{sequence}",
        "eventName": name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-1",
        "dynamodb": dynamodb,
        "eventSourceARN": STREAM_ARN,
    }


# Decides per PutEvents request: None to accept every entry, an error code per entry index to
# reject some, or an exception to raise for the whole request.
Outcome = Callable[[list[dict[str, Any]]], dict[int, str] | Exception | None]


@dataclass
class RecordingEvents:
    """An EventBridge client double: records each PutEvents request, answers as told."""

    outcomes: list[Outcome] = field(default_factory=list)
    requests: list[list[dict[str, Any]]] = field(default_factory=list)

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        self.requests.append(Entries)
        decide = self.outcomes.pop(0) if self.outcomes else (lambda _entries: None)
        decision = decide(Entries)
        if isinstance(decision, Exception):
            raise decision
        failed = decision or {}
        return {
            "FailedEntryCount": len(failed),
            "Entries": [
                {"ErrorCode": failed[i], "ErrorMessage": "rejected by the test"}
                if i in failed
                else {"EventId": f"ev-{len(self.requests)}-{i}"}
                for i in range(len(Entries))
            ],
        }

    @property
    def entries(self) -> list[dict[str, Any]]:
        return [entry for request in self.requests for entry in request]


def throttled() -> ClientError:
    return ClientError(
        {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "PutEvents"
    )
