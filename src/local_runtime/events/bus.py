"""EventBridge: the planned buses, their rules and targets, and the archive of every event.

Follows the EventBridge API reference and user guide: ``PutEvents`` (``entries``), rules that
match with ``patterns`` (a pattern EventBridge would refuse stops the start, with EventBridge's
reason), targets reached as ``delivery`` says, every event of an archived bus kept
(``archive``), ``DescribeRule``, and ``StartReplay``/``DescribeReplay`` over the archive
(``replays``), for an operator's tools. Errors are EventBridge's (``errors``).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from local_runtime.console import Console
from local_runtime.events.archive import Archive
from local_runtime.events.delivery import Delivery, SendSqs
from local_runtime.events.entries import (
    EntryRefusedError,
    check_request,
    make_event,
    read_detail,
)
from local_runtime.events.errors import EventsError
from local_runtime.events.patterns import InvalidPatternError, Pattern
from local_runtime.events.patterns.matcher import by_name
from local_runtime.events.replays import Replays
from local_runtime.events.transform import check_target_input
from local_runtime.faults import Faults
from local_runtime.functions.registry import Functions
from local_runtime.plan.errors import UnsupportedError
from local_runtime.plan.models import PlatformSpec, RuleSpec

OPERATIONS = ("PutEvents", "DescribeRule", "StartReplay", "DescribeReplay")


class EventBus:
    """Every planned bus of the platform, in one router."""

    def __init__(
        self,
        spec: PlatformSpec,
        *,
        functions: Functions,
        send_sqs: SendSqs,
        console: Console,
        archive_dir: Path,
        delay_scale: float,
        faults: Faults,
    ) -> None:
        self.spec = spec
        self.faults = faults
        self.console = console
        self.archive = Archive(archive_dir)
        self.delivery = Delivery(functions, send_sqs, console, delay_scale, faults)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.rules: dict[str, list[RuleSpec]] = {}
        self.patterns: dict[str, Pattern] = {}
        for rule in spec.rules.values():
            try:
                self.patterns[rule.arn] = Pattern(rule.pattern)
            except InvalidPatternError as exc:
                raise UnsupportedError(f"{rule.address}: event_pattern: {exc}") from exc
            for target in rule.targets:
                check_target_input(target)
                if target.kind == "lambda" and target.arn.rsplit(":", 1)[-1] not in functions:
                    raise UnsupportedError(
                        f"{target.address}: function {target.arn} is not in the plan"
                    )
            self.rules.setdefault(rule.bus, []).append(rule)
        self.replays = Replays(
            spec,
            self.archive,
            rules_of=lambda bus: self.rules.get(bus, []),
            route=self.replay,
            call_soon=self._call_soon,
            console=console,
        )

    @property
    def delivering(self) -> int:
        return self.delivery.in_flight

    # --- the EventBridge API ----------------------------------------------------------------

    def handle(self, operation: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The EventBridge JSON API: what the platform and its operators call."""
        serve = {
            "PutEvents": lambda: self.put_events(payload.get("Entries")),
            "DescribeRule": lambda: self.describe_rule(payload),
            "StartReplay": lambda: self.replays.start(payload),
            "DescribeReplay": lambda: self.replays.describe(payload),
        }.get(operation)
        try:
            if serve is None:
                raise EventsError(  # noqa: TRY301 - one rendering for every refusal
                    "UnknownOperationException",
                    f"{operation} is not served by the local EventBridge "
                    f"({', '.join(OPERATIONS)} are)",
                )
            return 200, serve()
        except EventsError as exc:
            return exc.render()

    def describe_rule(self, payload: dict[str, Any]) -> dict[str, Any]:
        bus = str(payload.get("EventBusName") or "default").rsplit("/", 1)[-1]
        name = payload.get("Name")
        for rule in self.rules.get(bus, []):
            if rule.name == name:
                return {
                    "Name": rule.name,
                    "Arn": rule.arn,
                    "EventBusName": bus,
                    "EventPattern": rule.pattern,
                    "State": "ENABLED" if rule.enabled else "DISABLED",
                }
        raise EventsError(
            "ResourceNotFoundException", f"Rule {name} does not exist on EventBus {bus}."
        )

    def put_events(self, entries: Any) -> dict[str, Any]:
        """PutEvents: the entries' results; the accepted ones routed (EventsError)."""
        results: list[dict[str, str]] = []
        accepted: list[tuple[dict[str, Any], str]] = []
        for entry in check_request(entries):
            try:
                event, bus = self._accept(entry)
            except EntryRefusedError as refused:
                results.append(refused.result())
                continue
            results.append({"EventId": event["id"]})
            accepted.append((event, bus))
        for event, bus in accepted:
            self._call_soon(functools.partial(self._route, event, bus))
        failed = sum(1 for r in results if "ErrorCode" in r)
        return {"FailedEntryCount": failed, "Entries": results}

    def _accept(self, entry: dict[str, Any]) -> tuple[dict[str, Any], str]:
        detail = read_detail(entry)
        bus = str(entry.get("EventBusName") or "default").rsplit("/", 1)[-1]
        if bus not in self.spec.buses:
            raise EntryRefusedError("ResourceNotFoundException", f"Event bus {bus} does not exist.")
        if self.faults.hit("put_events"):
            # One of the two retryable entry codes of PutEventsResultEntry; the entry alone.
            code = self.faults.choice(("ThrottlingException", "InternalFailure"))
            raise EntryRefusedError(code, f"{code} (injected fault)")
        return make_event(entry, detail, account=self.spec.account_id, region=self.spec.region), bus

    # --- routing ------------------------------------------------------------------------------

    def _call_soon(self, work: Callable[[], None]) -> None:
        """Run ``work`` on the bus's loop: now when called there, else from another thread
        (the local AWS answers on its own threads)."""
        loop = self.loop
        if loop is None:
            raise RuntimeError("the bus is not running: set EventBus.loop first")
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            work()
        else:
            loop.call_soon_threadsafe(work)

    def replay(self, events: list[dict[str, Any]], bus: str, rules: frozenset[str]) -> None:
        """Route archived ``events`` again to ``rules`` (called on the bus's loop)."""
        for event in events:
            self._route(event, bus, only=rules)

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
            self.archive.append(archive, event)
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
                self.delivery.start(rule, target, event)
