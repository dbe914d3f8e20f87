"""EventBridge: the planned buses, their rules and targets, and an archive of every event.

Follows the EventBridge API reference (``PutEvents``: at most 10 entries, 256 KB by the
documented entry-size formula, ``MalformedDetail`` for a detail that is not a JSON object,
HTTP 200 with ``FailedEntryCount`` for entries refused one by one) and the user guide:
the event envelope (``version``, ``id``, ``detail-type``, ``source``, ``account``, ``time``,
``region``, ``resources``, ``detail``); rules match with ``patterns`` (a pattern EventBridge
would refuse stops the start, with EventBridge's reason); Lambda targets are invoked asynchronously;
a delivery that fails is retried with exponential backoff (scaled by ``--delay-scale``)
within the target's retry policy, then sent to the target's dead-letter queue with the
message attributes AWS sets: ``ERROR_CODE``, ``ERROR_MESSAGE``, ``RULE_ARN``,
``TARGET_ARN``. ``DescribeRule``, and ``StartReplay``/``DescribeReplay`` over the archive
(``replays.py``), serve an operator's tools.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local_runtime.console import Console
from local_runtime.events.patterns import InvalidPatternError, Pattern
from local_runtime.events.patterns.matcher import by_name
from local_runtime.events.replays import Replays
from local_runtime.events.transform import check_target_input, target_input
from local_runtime.faults import Faults
from local_runtime.plan.errors import UnsupportedError
from local_runtime.plan.models import PlatformSpec, RuleSpec, TargetSpec

MAX_ENTRIES = 10
MAX_SIZE = 256 * 1024


class DeliveryError(RuntimeError):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class Deliverers:
    """How targets are reached: a Lambda function by name, an SQS queue by name."""

    invoke_async: Callable[[str, Any, str], str]
    send_sqs: Callable[[str, str, dict[str, str] | None], Any]
    has_function: Callable[[str], bool]


def entry_size(entry: Mapping[str, Any]) -> int:
    """The size AWS counts for one PutEvents entry ("Calculating PutEvents event entry size")."""
    size = 14 if entry.get("Time") is not None else 0
    for key in ("Source", "DetailType", "Detail"):
        value = entry.get(key)
        if isinstance(value, str):
            size += len(value.encode())
    for resource in entry.get("Resources") or []:
        if isinstance(resource, str):
            size += len(resource.encode())
    return size


def _time(value: Any) -> str:
    if isinstance(value, int | float):
        moment = datetime.fromtimestamp(value, UTC)
    elif isinstance(value, str):
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    else:
        moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class EventBus:
    """Every planned bus of the platform, in one router."""

    def __init__(
        self,
        spec: PlatformSpec,
        deliverers: Deliverers,
        console: Console,
        archive_dir: Path,
        delay_scale: float,
        *,
        faults: Faults | None = None,
    ) -> None:
        self.spec = spec
        self.faults = faults
        self.deliverers = deliverers
        self.console = console
        self.delay_scale = delay_scale
        self.archive_dir = archive_dir
        self.loop: asyncio.AbstractEventLoop | None = None
        # Delivery faults by target ARN: how many deliveries to fail (fault injection).
        self.delivery_faults: dict[str, int] = {}
        self.delivering = 0
        self._deliveries: set[asyncio.Future[None]] = set()
        self.rules: dict[str, list[RuleSpec]] = {}
        self.patterns: dict[str, Pattern] = {}
        for rule in spec.rules.values():
            try:
                self.patterns[rule.arn] = Pattern(rule.pattern)
            except InvalidPatternError as exc:
                raise UnsupportedError(f"{rule.address}: event_pattern: {exc}") from exc
            for target in rule.targets:
                check_target_input(target)
                if target.kind == "lambda" and not deliverers.has_function(
                    target.arn.rsplit(":", 1)[-1]
                ):
                    raise UnsupportedError(
                        f"{target.address}: function {target.arn} is not in the plan"
                    )
            self.rules.setdefault(rule.bus, []).append(rule)
        self.replays = Replays(self)

    # --- PutEvents ----------------------------------------------------------------------------

    def handle(
        self, operation: str, payload: dict[str, Any], caller: str
    ) -> tuple[int, dict[str, Any]]:
        """The EventBridge JSON API: what the platform and its operators call."""
        if operation == "PutEvents":
            return self.put_events(payload.get("Entries"), caller)
        if operation == "DescribeRule":
            return self.describe_rule(payload)
        if operation in {"StartReplay", "DescribeReplay"}:
            return self.replays.handle(operation, payload)
        return 400, {
            "__type": "UnknownOperationException",
            "message": f"{operation} is not served by the local EventBridge (PutEvents, "
            "DescribeRule, StartReplay and DescribeReplay are)",
        }

    def describe_rule(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        bus = str(payload.get("EventBusName") or "default").rsplit("/", 1)[-1]
        name = payload.get("Name")
        for rule in self.rules.get(bus, []):
            if rule.name == name:
                return 200, {
                    "Name": rule.name,
                    "Arn": rule.arn,
                    "EventBusName": bus,
                    "EventPattern": rule.pattern,
                    "State": "ENABLED" if rule.enabled else "DISABLED",
                }
        return 400, {
            "__type": "ResourceNotFoundException",
            "message": f"Rule {name} does not exist on EventBus {bus}.",
        }

    def archive_path(self, archive: str) -> Path:
        return self.archive_dir / f"{archive}.jsonl"

    def replay(self, events: list[dict[str, Any]], bus: str, rules: frozenset[str]) -> None:
        """Route archived ``events`` again to ``rules`` (called on the bus's loop)."""
        for event in events:
            self._route(event, bus, only=rules)

    def put_events(self, entries: Any, caller: str = "") -> tuple[int, dict[str, Any]]:
        if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_ENTRIES:
            return 400, {
                "__type": "ValidationException",
                "message": "1 validation error detected: Value at 'entries' failed to satisfy "
                "constraint: Member must have length less than or equal to 10",
            }
        if sum(entry_size(e) for e in entries if isinstance(e, dict)) > MAX_SIZE:
            return 400, {
                "__type": "ValidationException",
                "message": "Total size of the entries in the request is over the limit.",
            }
        results: list[dict[str, str]] = []
        accepted: list[tuple[dict[str, Any], str]] = []
        for entry in entries:
            result, routed = self._accept(entry if isinstance(entry, dict) else {})
            results.append(result)
            if routed is not None:
                accepted.append(routed)
        failed = sum(1 for r in results if "ErrorCode" in r)
        for event, bus in accepted:
            self._schedule(event, bus)
        return 200, {"FailedEntryCount": failed, "Entries": results}

    def _accept(
        self, entry: dict[str, Any]
    ) -> tuple[dict[str, str], tuple[dict[str, Any], str] | None]:
        for key in ("Source", "DetailType", "Detail"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                return {
                    "ErrorCode": "InvalidArgument",
                    "ErrorMessage": f"Parameter {key} is not valid. Reason: {key} is a required "
                    "argument.",
                }, None
        try:
            detail = json.loads(entry["Detail"])
        except ValueError:
            detail = None
        if not isinstance(detail, dict):
            return {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}, None
        if entry_size(entry) > MAX_SIZE:
            return {
                "ErrorCode": "InvalidArgument",
                "ErrorMessage": "Event size exceeds the limit of 256 KB.",
            }, None
        bus = str(entry.get("EventBusName") or "default").rsplit("/", 1)[-1]
        if bus not in self.spec.buses:
            return {
                "ErrorCode": "ResourceNotFoundException",
                "ErrorMessage": f"Event bus {bus} does not exist.",
            }, None
        if self.faults is not None and self.faults.hit("put_events"):
            # One of the two retryable entry codes of PutEventsResultEntry; the entry alone.
            code = self.faults.choice(("ThrottlingException", "InternalFailure"))
            return {"ErrorCode": code, "ErrorMessage": f"{code} (injected fault)"}, None
        event_id = str(uuid.uuid4())
        event = {
            "version": "0",
            "id": event_id,
            "detail-type": entry["DetailType"],
            "source": entry["Source"],
            "account": self.spec.account_id,
            "time": _time(entry.get("Time")),
            "region": self.spec.region,
            "resources": list(entry.get("Resources") or []),
            "detail": detail,
        }
        return {"EventId": event_id}, (event, bus)

    def _schedule(self, event: dict[str, Any], bus: str) -> None:
        loop = self.loop
        if loop is None:
            raise RuntimeError("the bus is not running")
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._route(event, bus)
        else:
            loop.call_soon_threadsafe(self._route, event, bus)

    # --- routing ------------------------------------------------------------------------------

    def _route(self, event: dict[str, Any], bus: str, only: frozenset[str] | None = None) -> None:
        """Archive ``event`` and hand it to every enabled rule of ``bus`` it matches; a
        replay (``only``: the rule ARNs it is for) goes to those rules and is not archived
        again."""
        correlation = event["id"]
        self.console.hop(
            "putevents" if only is None else "replay",
            f"{event['detail-type']} from {event['source']} on {bus}",
            correlation,
            payload=event["detail"],
        )
        archive = self.spec.buses[bus].archive
        if archive and only is None:
            self.archive_dir.mkdir(parents=True, exist_ok=True)
            with self.archive_path(archive).open("a") as out:
                out.write(json.dumps(event) + "\n")
        leaves = by_name(event)
        matched = [
            r
            for r in self.rules.get(bus, [])
            if r.enabled
            and (only is None or r.arn in only)
            and self.patterns[r.arn].matches_leaves(leaves)
        ]
        if not matched:
            self.console.hop("rule", "no rule matched", correlation, tone="warn")
        for rule in matched:
            for target in rule.targets:
                self.console.hop("rule", f"{rule.name} -> {target.target_id}", correlation)
                self.delivering += 1
                delivery = asyncio.ensure_future(self._deliver(rule, target, event))
                self._deliveries.add(delivery)
                delivery.add_done_callback(self._deliveries.discard)

    async def _deliver(self, rule: RuleSpec, target: TargetSpec, event: dict[str, Any]) -> None:
        try:
            await self._deliver_with_retries(rule, target, event)
        finally:
            self.delivering -= 1

    async def _deliver_with_retries(
        self, rule: RuleSpec, target: TargetSpec, event: dict[str, Any]
    ) -> None:
        correlation = event["id"]
        body = target_input(target, rule, event)
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                self._deliver_once(target, body, correlation)
            except DeliveryError as exc:
                error = exc
            else:
                return
            age = time.monotonic() - started
            if (
                attempt > target.maximum_retry_attempts
                or age > target.maximum_event_age_in_seconds * self.delay_scale
            ):
                break
            delay = min(60.0, 2.0 ** (attempt - 1)) * self.delay_scale
            self.console.hop(
                "retry",
                f"{rule.name} -> {target.target_id}: {error.code}, attempt {attempt + 1} in "
                f"{delay:.2f} s",
                correlation,
                tone="warn",
            )
            await asyncio.sleep(delay)
        if target.dead_letter_queue is None:
            self.console.hop(
                "discard",
                f"{rule.name} -> {target.target_id}: {error.code}, no DLQ: event dropped",
                correlation,
                tone="fail",
            )
            return
        attributes = {
            "ERROR_CODE": error.code,
            "ERROR_MESSAGE": str(error),
            "RULE_ARN": rule.arn,
            "TARGET_ARN": target.arn,
        }
        await asyncio.to_thread(
            self.deliverers.send_sqs, target.dead_letter_queue, json.dumps(event), attributes
        )
        self.console.hop(
            "dlq",
            f"{rule.name} -> {target.target_id}: {error.code} after {attempt} attempt(s) -> "
            f"{target.dead_letter_queue}",
            correlation,
            tone="fail",
        )

    def _deliver_once(self, target: TargetSpec, body: str, correlation: str) -> None:
        """Hand ``body`` (the target's input text) to the target once."""
        remaining = self.delivery_faults.get(target.arn, 0)
        if remaining:
            self.delivery_faults[target.arn] = remaining - 1
            raise DeliveryError("SDK_CLIENT_ERROR", "injected fault: the target did not answer")
        name = target.arn.rsplit(":", 1)[-1]
        if target.kind == "sqs":
            self.deliverers.send_sqs(name, body, None)
            return
        try:
            payload = json.loads(body)
        except ValueError as exc:
            # Lambda's Invoke takes JSON only (InvalidRequestContentException).
            raise DeliveryError(
                "SDK_CLIENT_ERROR",
                "InvalidRequestContentException: Could not parse request body into json",
            ) from exc
        self.deliverers.invoke_async(name, payload, correlation)
