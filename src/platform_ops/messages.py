"""What a message in one of the platform's queues is, decoded: the original event, the error,
where it failed, how often it was tried, and how to bring it back.

Four kinds reach a queue (each with AWS's own shape):

- ``eventbridge``: an event EventBridge could not hand to a target (the event as the body;
  ``RULE_ARN``, ``TARGET_ARN``, ``ERROR_CODE``, ``ERROR_MESSAGE`` and, in AWS,
  ``RETRY_ATTEMPTS`` as message attributes: "Using dead-letter queues", EventBridge guide);
- ``lambda``: an asynchronous invocation that failed every retry (Lambda's invocation record:
  ``requestContext``, ``requestPayload``, ``responseContext``, ``responsePayload``);
- ``stream``: a stream batch that failed every retry (``requestContext`` and
  ``DDBStreamBatchInfo``: the shard and the sequence range, not the records);
- ``poison``: an event a consumer found can never succeed (``handlers.common.poison``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["eventbridge", "lambda", "stream", "poison", "unknown"]


@dataclass(frozen=True)
class Decoded:
    """One queued message, read."""

    message_id: str
    receipt_handle: str
    kind: Kind
    body: Any
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def error(self) -> str:
        if self.kind == "eventbridge":
            code = self.attributes.get("ERROR_CODE", "")
            return f"{code}: {self.attributes.get('ERROR_MESSAGE', '')}".strip(": ")
        if self.kind in ("lambda", "stream"):
            response = self.body.get("responsePayload") or {}
            context = self.body.get("requestContext") or {}
            if isinstance(response, dict) and response.get("errorType"):
                return f"{response['errorType']}: {response.get('errorMessage', '')}"
            return str(context.get("condition", ""))
        if self.kind == "poison":
            return str(self.body.get("reason", ""))
        return ""

    @property
    def where(self) -> str:
        """The rule and target, or the function, the message failed at."""
        if self.kind == "eventbridge":
            rule = self.attributes.get("RULE_ARN", "").rsplit("/", 1)[-1]
            return f"rule {rule} -> {self.attributes.get('TARGET_ARN', '?')}"
        if self.kind in ("lambda", "stream"):
            return str((self.body.get("requestContext") or {}).get("functionArn", "?"))
        if self.kind == "poison":
            return str(self.body.get("function", "?"))
        return "?"

    @property
    def attempts(self) -> str:
        if self.kind == "eventbridge":
            return self.attributes.get("RETRY_ATTEMPTS", "?")
        if self.kind in ("lambda", "stream"):
            return str((self.body.get("requestContext") or {}).get("approximateInvokeCount", "?"))
        return "1" if self.kind == "poison" else "?"

    @property
    def event(self) -> Any:
        """The original event (or stream batch reference) the message carries."""
        if self.kind == "eventbridge":
            return self.body
        if self.kind == "lambda":
            return self.body.get("requestPayload")
        if self.kind == "stream":
            return self.body.get("DDBStreamBatchInfo")
        if self.kind == "poison":
            return self.body.get("payload")
        return self.body


def decode(message: dict[str, Any]) -> Decoded:
    """An SQS message (as ReceiveMessage gives it, with its message attributes) decoded."""
    raw = message.get("Body", "")
    try:
        body: Any = json.loads(raw)
    except ValueError:
        body = raw
    attributes = {
        name: str(value.get("StringValue", ""))
        for name, value in (message.get("MessageAttributes") or {}).items()
    }
    kind: Kind = "unknown"
    if isinstance(body, dict):
        if body.get("kind") == "permanent" and "payload" in body:
            kind = "poison"
        elif "DDBStreamBatchInfo" in body:
            kind = "stream"
        elif "requestContext" in body and "requestPayload" in body:
            kind = "lambda"
        elif "detail-type" in body and ("TARGET_ARN" in attributes or "RULE_ARN" in attributes):
            kind = "eventbridge"
    return Decoded(
        message_id=str(message.get("MessageId", "")),
        receipt_handle=str(message.get("ReceiptHandle", "")),
        kind=kind,
        body=body,
        attributes=attributes,
    )
