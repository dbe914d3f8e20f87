"""A stream batch whose function is throttled (past its reserved concurrency) waits and is
handed over again, no retry counted; once its records are too old it goes to the failure
queue as any batch would."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from local_runtime.console import Console
from local_runtime.faults import Faults
from local_runtime.functions.runtime import throttled
from local_runtime.functions.streams import StreamMapping
from local_runtime.functions.worker_process import Invocation
from local_runtime.plan.models import MappingSpec

ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/x"


@dataclass
class Spec:
    arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:f"


@dataclass
class Runtime:
    faults: Faults = field(default_factory=Faults)
    spec: Spec = field(default_factory=Spec)


@dataclass
class ThrottlingFunctions:
    """The registry as the mapping sees it: the first ``throttles`` invocations throttled."""

    throttles: int
    calls: int = 0

    async def invoke(self, name: str, payload: Any, correlation: str) -> Invocation:
        self.calls += 1
        if self.calls <= self.throttles:
            return throttled(f"r-{self.calls}")
        return Invocation(f"r-{self.calls}", True, {"batchItemFailures": []}, 1.0, False)

    def __getitem__(self, name: str) -> Runtime:
        return Runtime()


def mapping(functions: Any, sent: list[Any], *, retries: int, max_age: int) -> StreamMapping:
    spec = MappingSpec(
        address="module.f.aws_lambda_event_source_mapping.this",
        function="f",
        table="t",
        starting_position="TRIM_HORIZON",
        batch_size=10,
        maximum_batching_window_in_seconds=0,
        maximum_retry_attempts=retries,
        maximum_record_age_in_seconds=max_age,
        bisect_batch_on_function_error=False,
        report_batch_item_failures=True,
        on_failure_queue="failures",
        filters=(),
    )

    async def send(queue: str, record: dict[str, Any]) -> None:
        sent.append((queue, record))

    return StreamMapping(
        spec,
        stream_arn=ARN,
        functions=functions,
        client=None,
        region="eu-west-1",
        console=Console(verbosity=0),
        delay_scale=0.001,
        send_failure=send,
    )


def records(created: float) -> list[dict[str, Any]]:
    return [
        {"dynamodb": {"SequenceNumber": f"{n:021d}", "ApproximateCreationDateTime": created}}
        for n in range(1, 3)
    ]


def test_a_throttled_batch_waits_and_no_retry_is_counted() -> None:
    functions = ThrottlingFunctions(throttles=5)
    sent: list[Any] = []
    # One retry allowed: five throttles in a row must not use it up.
    asyncio.run(
        mapping(functions, sent, retries=1, max_age=3600)._process("shard-1", records(time.time()))
    )
    assert functions.calls == 6
    assert sent == []


def test_a_throttled_batch_past_its_age_goes_to_the_failure_queue() -> None:
    functions = ThrottlingFunctions(throttles=100)
    sent: list[Any] = []
    asyncio.run(
        mapping(functions, sent, retries=10, max_age=60)._process(
            "shard-1", records(time.time() - 120)
        )
    )
    assert functions.calls == 1
    ((queue, record),) = sent
    assert queue == "failures"
    assert record["requestContext"]["condition"] == "RecordAgeExceeded"
    assert record["DDBStreamBatchInfo"]["batchSize"] == 2
