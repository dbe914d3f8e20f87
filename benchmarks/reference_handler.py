"""The seed-style reference handler `make bench` compares every handler against.

What a typical Powertools service template starts with: Logger, Tracer and Metrics built at
import, the AppSync Events resolver, and a pydantic model validating each published item.
No project code. It is measured in the same package tree, with the same bytecode, as the
handlers, so that the ratio shows the cost of what each module imports and builds.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import AppSyncEventsResolver
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = AppSyncEventsResolver()  # type: ignore[no-untyped-call]


class Message(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


@app.on_publish("/default/*")
def publish(payload: Any) -> dict[str, Any]:
    return Message.model_validate(payload).model_dump()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    return app.resolve(event, context)
