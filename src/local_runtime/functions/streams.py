"""DynamoDB stream event source mappings, as the Lambda guide describes them ("Using AWS Lambda
with Amazon DynamoDB", "Configuring partial batch response", "Error handling").

Each planned mapping polls its table's stream in moto (``dynamodbstreams``), per shard, in
order, from ``starting_position``; a batch holds at most ``batch_size`` records and is sent
to the function synchronously as ``{"Records": [...]}`` with the fields Lambda adds
(``eventID``, ``eventName``, ``eventVersion``, ``eventSource``, ``awsRegion``,
``eventSourceARN``). Then:

- success, or ``batchItemFailures`` empty: the shard moves past the batch;
- ``batchItemFailures`` (with ``ReportBatchItemFailures``): the records before the lowest
  failed sequence number are done, the batch is retried from it;
- a function error (exception, timeout, crash) or an invalid ``batchItemFailures``: with
  ``bisect_batch_on_function_error`` the batch is split in two and each half retried
  (splitting does not count as a retry); otherwise the whole batch is retried;
- a batch retried ``maximum_retry_attempts`` times, or holding a record older than
  ``maximum_record_age_in_seconds``, goes to the on-failure queue as the record Lambda sends
  (``requestContext``, ``responseContext``, ``version``, ``timestamp``, ``DDBStreamBatchInfo``
  with shard, first and last sequence numbers, arrival times, size and stream ARN), and the
  shard moves past it.

Retries wait 1 s, 2 s, 4 s ... (at most 60 s), scaled by ``--delay-scale``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from local_runtime.console import Console
from local_runtime.events.patterns import LAMBDA, InvalidPatternError, Pattern
from local_runtime.functions.asynchronous import send_to_destination
from local_runtime.functions.registry import Functions
from local_runtime.functions.worker_process import Invocation
from local_runtime.plan.errors import UnsupportedError
from local_runtime.plan.models import MappingSpec

POLL_SECONDS = 0.2
_TRIMMED = "TrimmedDataAccessException"  # aws/streams.py: the record was past retention


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def _epoch(value: Any) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


class StreamMapping:
    def __init__(
        self,
        spec: MappingSpec,
        *,
        stream_arn: str,
        functions: Functions,
        client: Any,
        region: str,
        console: Console,
        delay_scale: float,
        send_failure: Callable[[str, dict[str, Any]], Any],
    ) -> None:
        try:
            self.filters = [Pattern(pattern, LAMBDA) for pattern in spec.filters]
        except InvalidPatternError as exc:
            raise UnsupportedError(f"{spec.address}: filter_criteria: {exc}") from exc
        self.spec = spec
        self.stream_arn = stream_arn
        self.functions = functions
        self.client = client
        self.region = region
        self.console = console
        self.delay_scale = delay_scale
        self.send_failure = send_failure
        self._task: asyncio.Task[None] | None = None
        self.busy = False

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _call(self, method: str, **kwargs: Any) -> Any:
        return await asyncio.to_thread(getattr(self.client, method), **kwargs)

    async def _run(self) -> None:
        shards: dict[str, str | None] = {}
        while True:
            try:
                description = (await self._call("describe_stream", StreamArn=self.stream_arn))[
                    "StreamDescription"
                ]
                for shard in description["Shards"]:
                    shard_id = shard["ShardId"]
                    if shard_id not in shards:
                        kind = (
                            "TRIM_HORIZON"
                            if self.spec.starting_position == "TRIM_HORIZON"
                            else "LATEST"
                        )
                        shards[shard_id] = (
                            await self._call(
                                "get_shard_iterator",
                                StreamArn=self.stream_arn,
                                ShardId=shard_id,
                                ShardIteratorType=kind,
                            )
                        )["ShardIterator"]
                for shard_id, iterator in list(shards.items()):
                    if iterator is None:
                        continue
                    try:
                        shards[shard_id] = await self._poll(shard_id, iterator)
                    except ClientError as exc:
                        if exc.response.get("Error", {}).get("Code") != _TRIMMED:
                            raise
                        # Records trimmed before they were read are lost, as in AWS; the
                        # mapping goes on from the oldest record left.
                        self.console.hop(
                            "stream",
                            f"{self.spec.table}: records trimmed before they were read "
                            "(older than the stream's retention): going on from the oldest left",
                            tone="fail",
                        )
                        shards[shard_id] = (
                            await self._call(
                                "get_shard_iterator",
                                StreamArn=self.stream_arn,
                                ShardId=shard_id,
                                ShardIteratorType="TRIM_HORIZON",
                            )
                        )["ShardIterator"]
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - a poller keeps polling, and says why not
                self.console.hop("stream", f"{self.spec.table}: polling failed: {exc}", tone="fail")
            await asyncio.sleep(POLL_SECONDS)

    async def _poll(self, shard_id: str, iterator: str) -> str | None:
        response = await self._call(
            "get_records", ShardIterator=iterator, Limit=self.spec.batch_size
        )
        records = [self._lambda_record(r) for r in response.get("Records", [])]
        if self.filters:
            records = [r for r in records if any(p.matches(r) for p in self.filters)]
        if records:
            self.busy = True
            try:
                await self._process(shard_id, records)
            finally:
                self.busy = False
        next_iterator: str | None = response.get("NextShardIterator")
        return next_iterator

    def _lambda_record(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record as Lambda hands it over (the stream's record plus Lambda's fields)."""
        dynamodb = dict(record["dynamodb"])
        created = dynamodb.get("ApproximateCreationDateTime")
        if created is not None:
            dynamodb["ApproximateCreationDateTime"] = int(_epoch(created))
        return {
            "eventID": record.get("eventID"),
            "eventName": record.get("eventName"),
            "eventVersion": record.get("eventVersion", "1.1"),
            "eventSource": "aws:dynamodb",
            "awsRegion": self.region,
            "dynamodb": dynamodb,
            "eventSourceARN": self.stream_arn,
        }

    async def _process(self, shard_id: str, records: list[dict[str, Any]]) -> None:
        """Deliver ``records`` in order, splitting and retrying as the mapping says."""
        pending: list[tuple[list[dict[str, Any]], int]] = [(records, 0)]
        throttles = 0
        while pending:
            batch, retries = pending.pop(0)
            correlation = "seq-" + batch[0]["dynamodb"]["SequenceNumber"][-4:]
            self.console.hop(
                "stream",
                f"{self.spec.table} -> {self.spec.function}: {len(batch)} record(s)",
                correlation,
            )
            result = await self.functions.invoke(
                self.spec.function, {"Records": batch}, correlation
            )
            if result.throttled:
                # Past the function's reserved concurrency: no attempt, the batch waits (its
                # records still age out as the mapping says).
                throttles += 1
                await asyncio.sleep(min(60.0, 2.0 ** (throttles - 1)) * self.delay_scale)
                if not self._too_old(batch):
                    pending.insert(0, (batch, retries))
                    continue
            failed_from = self._failed_from(batch, result)
            if failed_from is None:
                if self.functions[self.spec.function].faults.take(
                    "stream_redelivery", self.spec.function
                ):
                    # At least once: the batch the function took, handed over again.
                    self.console.hop(
                        "fault", f"{self.spec.function}: batch handed over once more", correlation
                    )
                    pending.insert(0, (batch, retries))
                continue
            remainder = batch[failed_from:]
            function_error = not result.ok
            too_old = self._too_old(remainder)
            if too_old or retries >= self.spec.maximum_retry_attempts:
                condition = "RecordAgeExceeded" if too_old else "RetryAttemptsExhausted"
                await self._fail(shard_id, remainder, condition, retries + 1, result)
                continue
            if function_error and self.spec.bisect_batch_on_function_error and len(remainder) > 1:
                half = len(remainder) // 2
                self.console.hop(
                    "retry",
                    f"{self.spec.function}: batch of {len(remainder)} split in two",
                    correlation,
                    tone="warn",
                )
                pending[:0] = [(remainder[:half], retries), (remainder[half:], retries)]
                continue
            delay = min(60.0, 2.0**retries) * self.delay_scale
            self.console.hop(
                "retry",
                f"{self.spec.function}: {len(remainder)} record(s) again in {delay:.2f} s "
                f"(retry {retries + 1} of {self.spec.maximum_retry_attempts})",
                "seq-" + remainder[0]["dynamodb"]["SequenceNumber"][-4:],
                tone="warn",
            )
            await asyncio.sleep(delay)
            pending.insert(0, (remainder, retries + 1))

    def _too_old(self, records: list[dict[str, Any]]) -> bool:
        if self.spec.maximum_record_age_in_seconds < 0:  # -1: until the stream trims them
            return False
        now = datetime.now(UTC).timestamp()
        return any(
            now - r["dynamodb"].get("ApproximateCreationDateTime", now)
            > self.spec.maximum_record_age_in_seconds
            for r in records
        )

    def _failed_from(self, batch: list[dict[str, Any]], result: Invocation) -> int | None:
        """Index of the first record to retry, None when the batch succeeded."""
        if not result.ok:
            return 0
        if not self.spec.report_batch_item_failures:
            return None
        payload = result.payload
        failures = payload.get("batchItemFailures") if isinstance(payload, dict) else None
        if not failures:
            return None
        sequence = [r["dynamodb"]["SequenceNumber"] for r in batch]
        indexes = []
        for failure in failures:
            identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
            if identifier not in sequence:
                # An identifier that is empty or not in the batch fails the whole batch.
                return 0
            indexes.append(sequence.index(identifier))
        return min(indexes)

    async def _fail(
        self,
        shard_id: str,
        batch: list[dict[str, Any]],
        condition: str,
        invokes: int,
        result: Invocation,
    ) -> None:
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        record = {
            "requestContext": {
                "requestId": result.request_id,
                "functionArn": self.functions[self.spec.function].spec.arn,
                "condition": condition,
                "approximateInvokeCount": invokes,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                **({"functionError": "Unhandled"} if not result.ok else {}),
            },
            "version": "1.0",
            "timestamp": datetime.now(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": _iso(
                    datetime.fromtimestamp(first.get("ApproximateCreationDateTime", 0), UTC)
                ),
                "approximateArrivalOfLastRecord": _iso(
                    datetime.fromtimestamp(last.get("ApproximateCreationDateTime", 0), UTC)
                ),
                "batchSize": len(batch),
                "streamArn": self.stream_arn,
            },
        }
        await send_to_destination(
            self.console,
            self.send_failure,
            self.spec.on_failure_queue,
            record,
            what=f"{self.spec.function}: {len(batch)} record(s) {condition}",
            correlation="seq-" + first["SequenceNumber"][-4:],
        )
