"""The local AWS as the runtime itself calls it: with the operator's credentials (which fault
injection never throttles), in the plan's region and account."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from local_runtime.aws.server import LocalAws


class Operator:
    def __init__(self, aws: LocalAws, region: str, account_id: str, key: str, secret: str) -> None:
        self.aws = aws
        self.region = region
        self.account_id = account_id
        self.key = key
        self.secret = secret

    def client(self, service: str) -> Any:
        return self.aws.client(service, self.region, self.key, self.secret)

    def queue_url(self, name: str) -> str:
        return f"{self.aws.endpoint}/{self.account_id}/{name}"

    def send_sqs(self, queue: str, body: str, attributes: dict[str, str] | None) -> None:
        """One message to a queue of the plan, with string message attributes."""
        message: dict[str, Any] = {"QueueUrl": self.queue_url(queue), "MessageBody": body}
        if attributes:
            message["MessageAttributes"] = {
                k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()
            }
        self.client("sqs").send_message(**message)

    async def send_record(self, queue: str, record: dict[str, Any]) -> None:
        """An invocation or stream failure record to an on-failure queue."""
        await asyncio.to_thread(self.send_sqs, queue, json.dumps(record), None)
