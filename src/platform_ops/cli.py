"""``platform-ops``: list the platform's queues, show their messages decoded, redrive them,
replay the bus archive. Dry run by default: ``--yes`` does it for real.

    platform-ops list
    platform-ops show function:notify
    platform-ops redrive function:notify            # what would be done
    platform-ops redrive function:notify --yes      # do it
    platform-ops replay --rule <rule> --start 2026-11-24T08:00:00Z --end 2026-11-24T09:00:00Z

The deployment comes from ``terraform output -json`` (``--terraform-dir``, default
``terraform``) or from a file of that shape (``--outputs``; ``make ops`` passes
``dist/local/outputs.json`` when ``make local`` runs).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from platform_ops.deployment import Deployment, DeploymentError, deployment_of, read_outputs
from platform_ops.messages import Decoded, decode
from platform_ops.redrive import RedriveError, redrive

# How long a received message stays hidden from others; while the tool works on one, its
# hiding is renewed every half of this (``Hold``), however long the redrive takes.
_VISIBILITY_SECONDS = 120
# What a redrive of one message may fail with; the message stays, the run goes on.
_FAILURES = (RedriveError, ClientError, BotoCoreError, KeyError, TypeError, ValueError)


@dataclass
class Summary:
    moved: int = 0
    failed: int = 0
    left: int = 0

    def __str__(self) -> str:
        return f"moved {self.moved}, failed {self.failed} (left in the queue), left {self.left}"


def queue_stats(deployment: Deployment, url: str) -> tuple[int, int, int]:
    """(visible, in flight, age of the oldest message in seconds or 0)."""
    sqs = deployment.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    visible = int(attributes.get("ApproximateNumberOfMessages", 0))
    in_flight = int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0))
    age = 0
    if visible:
        peek = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            AttributeNames=["SentTimestamp"],
            VisibilityTimeout=0,
        ).get("Messages", [])
        sent = [int(m["Attributes"]["SentTimestamp"]) for m in peek if "Attributes" in m]
        if sent:
            age = int(datetime.now().timestamp() - min(sent) / 1000)
    return visible, in_flight, age


def receive(deployment: Deployment, url: str, limit: int) -> list[Decoded]:
    sqs = deployment.client("sqs")
    found: dict[str, Decoded] = {}
    for _ in range(max(1, limit // 10 + 1)):
        batch = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=min(10, limit - len(found)) or 1,
            MessageAttributeNames=["All"],
            VisibilityTimeout=_VISIBILITY_SECONDS,
            WaitTimeSeconds=0,
        ).get("Messages", [])
        for message in batch:
            found.setdefault(message["MessageId"], decode(message))
        if not batch or len(found) >= limit:
            break
    return list(found.values())[:limit]


class Hold:
    """Keeps one received message hidden while it is worked on: its visibility timeout is
    renewed every half period on a timer thread (SQS ``ChangeMessageVisibility``), so a long
    redrive never lets the message reappear to anyone else, this run included."""

    def __init__(self, deployment: Deployment, url: str, message: Decoded) -> None:
        self._sqs = deployment.client("sqs")
        self._url = url
        self._handle = message.receipt_handle
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, daemon=True)

    def _renew(self) -> None:
        while not self._stop.wait(_VISIBILITY_SECONDS / 2):
            with contextlib.suppress(ClientError, BotoCoreError):
                self._sqs.change_message_visibility(
                    QueueUrl=self._url,
                    ReceiptHandle=self._handle,
                    VisibilityTimeout=_VISIBILITY_SECONDS,
                )

    def __enter__(self) -> Hold:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=_VISIBILITY_SECONDS)


def release(deployment: Deployment, url: str, messages: Sequence[Decoded]) -> None:
    """Make messages visible again at once (a dry run, or a show)."""
    sqs = deployment.client("sqs")
    for message in messages:
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=message.receipt_handle, VisibilityTimeout=0
        )


def _progress(out: TextIO, done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    out.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    out.flush()
    if done == total:
        out.write("\n")


def cmd_list(deployment: Deployment, args: argparse.Namespace, out: TextIO) -> int:
    out.write(f"{'queue':<52} {'depth':>6} {'in flight':>9} {'oldest':>8}\n")
    for key, url in sorted(deployment.queues.items()):
        visible, in_flight, age = queue_stats(deployment, url)
        oldest = f"{age}s" if visible else "-"
        out.write(f"{key:<52} {visible:>6} {in_flight:>9} {oldest:>8}\n")
    return 0


def cmd_show(deployment: Deployment, args: argparse.Namespace, out: TextIO) -> int:
    url = _queue(deployment, args.queue)
    messages = receive(deployment, url, args.max)
    try:
        for message in messages:
            if args.json:
                out.write(
                    json.dumps(
                        {
                            "kind": message.kind,
                            "where": message.where,
                            "error": message.error,
                            "attempts": message.attempts,
                            "event": message.event,
                        }
                    )
                    + "\n"
                )
                continue
            out.write(f"- {message.message_id} [{message.kind}] at {message.where}\n")
            out.write(f"  error:    {message.error}\n  attempts: {message.attempts}\n")
            out.write(f"  event:    {json.dumps(message.event)[:400]}\n")
    finally:
        release(deployment, url, messages)
    out.write(f"{len(messages)} message(s) shown (none removed)\n")
    return 0


def cmd_redrive(deployment: Deployment, args: argparse.Namespace, out: TextIO) -> int:
    url = _queue(deployment, args.queue)
    summary = Summary()
    if args.yes:
        return _redrive_all(deployment, url, args, summary, out)
    messages = receive(deployment, url, args.max)
    for message in messages:
        out.write(f"would redrive {message.message_id} [{message.kind}] at {message.where}\n")
    release(deployment, url, messages)
    summary.left = len(messages)
    out.write(f"dry run: {len(messages)} message(s) would be redriven; --yes to do it\n")
    out.write(f"{summary}\n")
    return 0


def _redrive_all(
    deployment: Deployment, url: str, args: argparse.Namespace, summary: Summary, out: TextIO
) -> int:
    """Up to ``--max`` messages, taken one at a time and held while worked on; one that
    fails stays (hidden until the end of the run, so it is tried once) and the run goes on."""
    sqs = deployment.client("sqs")
    seen: set[str] = set()
    kept: dict[str, Decoded] = {}
    total = min(args.max, queue_stats(deployment, url)[0])
    while summary.moved + summary.failed < total:
        taken = receive(deployment, url, 1)
        if not taken:
            break
        message = taken[0]
        if message.message_id in seen:
            # One this run already failed, visible again: left for the end, not tried twice.
            kept[message.message_id] = message
            continue
        seen.add(message.message_id)
        try:
            with Hold(deployment, url, message):
                note = redrive(deployment, message, to=args.to, force=args.force)
        except _FAILURES as exc:
            summary.failed += 1
            kept[message.message_id] = message
            out.write(f"\n  {message.message_id}: not redriven: {_reason(exc)}\n")
        else:
            # Deleted only now that the redrive succeeded.
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message.receipt_handle)
            summary.moved += 1
            if args.verbose:
                out.write(f"\n  {message.message_id}: {note}\n")
        _progress(out, summary.moved + summary.failed, total)
    with contextlib.suppress(ClientError):
        release(deployment, url, list(kept.values()))
    summary.left = queue_stats(deployment, url)[0]
    out.write(f"{summary}\n")
    return 1 if summary.failed else 0


def _reason(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'error')}: {error.get('Message', '')}"
    return str(exc) if isinstance(exc, RedriveError) else f"{type(exc).__name__}: {exc}"


def cmd_replay(deployment: Deployment, args: argparse.Namespace, out: TextIO) -> int:
    if not deployment.archive_arn or not deployment.bus_arn:
        raise DeploymentError("the outputs name no event_archive_arn / event_bus_arn to replay")
    events = deployment.client("events")
    bus = deployment.bus_arn.rsplit("/", 1)[-1]
    rule_arn = events.describe_rule(Name=args.rule, EventBusName=bus)["Arn"]
    name = f"ops-{datetime.now().strftime('%Y%m%d%H%M%S')}"
    request = {
        "ReplayName": name,
        "EventSourceArn": deployment.archive_arn,
        "EventStartTime": datetime.fromisoformat(args.start.replace("Z", "+00:00")),
        "EventEndTime": datetime.fromisoformat(args.end.replace("Z", "+00:00")),
        "Destination": {"Arn": deployment.bus_arn, "FilterArns": [rule_arn]},
    }
    if not args.yes:
        out.write(f"dry run: would replay {args.start} .. {args.end} to rule {args.rule}; --yes\n")
        return 0
    answer = events.start_replay(**request)
    reason = f" ({answer['StateReason']})" if answer.get("StateReason") else ""
    out.write(f"replay {name}: {answer.get('State', '?')}{reason}\n")
    return 0


def _queue(deployment: Deployment, key: str) -> str:
    if key not in deployment.queues:
        known = ", ".join(sorted(deployment.queues))
        raise DeploymentError(f"no queue {key!r} in this deployment (known: {known})")
    return deployment.queues[key]


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="platform-ops", description=__doc__.splitlines()[0])
    root.add_argument("--outputs", type=Path, help="a `terraform output -json` file")
    root.add_argument("--terraform-dir", type=Path, default=Path("terraform"))
    sub = root.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="every queue: depth, in flight, oldest message")
    show = sub.add_parser("show", help="messages of a queue, decoded (none removed)")
    show.add_argument("queue")
    show.add_argument("--max", type=int, default=10)
    show.add_argument("--json", action="store_true")
    again = sub.add_parser("redrive", help="bring messages back (dry run unless --yes)")
    again.add_argument("queue")
    again.add_argument("--max", type=int, default=100)
    again.add_argument("--to", choices=["target", "bus"], default="target")
    again.add_argument("--force", action="store_true", help="poison: the cause is fixed")
    again.add_argument("--yes", action="store_true", help="do it (default: a dry run)")
    again.add_argument("--verbose", action="store_true")
    replay = sub.add_parser("replay", help="replay the bus archive to one rule")
    replay.add_argument("--rule", required=True)
    replay.add_argument("--start", required=True)
    replay.add_argument("--end", required=True)
    replay.add_argument("--yes", action="store_true")
    return root


COMMANDS: dict[str, Callable[[Deployment, argparse.Namespace, TextIO], int]] = {
    "list": cmd_list,
    "show": cmd_show,
    "redrive": cmd_redrive,
    "replay": cmd_replay,
}


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    args = parser().parse_args(argv)
    try:
        deployment = deployment_of(read_outputs(args.outputs, args.terraform_dir))
    except DeploymentError as exc:
        print(f"platform-ops: {exc}", file=sys.stderr)
        return 2
    try:
        return COMMANDS[args.command](deployment, args, out)
    except DeploymentError as exc:
        print(f"platform-ops: {exc}", file=sys.stderr)
        return 2
    except EndpointConnectionError as exc:
        where = deployment.endpoint_url or "AWS"
        hint = " (is `make local` running?)" if deployment.endpoint_url else ""
        print(f"platform-ops: cannot reach {where}{hint}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
