"""platform-ops against `make local`: the queues from its outputs.json, messages shown,
dry runs that change nothing, and a redrive through Lambda's Invoke API that the local
runtime serves as AWS does."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from platform_ops.cli import main
from tests.local.platform import LocalPlatform, wait_for
from tests.local.test_flows import answer_item, order, stored_orders
from tests.local.test_walkthroughs import block_named, checkout_of, run_as_written

pytestmark = pytest.mark.local

NOTIFY = "arn:aws:lambda:eu-west-1:123456789012:function:platform-local-notify"


def ops(platform: LocalPlatform, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--outputs", str(platform.out / "outputs.json"), *argv], out=out)
    return code, out.getvalue()


def webhook_texts(platform: LocalPlatform) -> list[str]:
    messages: list[dict[str, Any]] = platform.get(platform.outputs["webhook_messages_url"])
    return [m["body"]["text"] for m in messages if isinstance(m["body"], dict)]


def test_an_undelivered_order_is_listed_shown_and_redriven_once(platform: LocalPlatform) -> None:
    queue = "platform-local-notify/notify"
    platform.settle()
    platform.inject({"target": NOTIFY, "count": 9})  # the first try and the 8 planned retries
    order_id = f"ops-{uuid.uuid4().hex[:6]}"
    assert platform.upload(order(order_id))[0] == 200
    platform.settle()
    assert not any(order_id in t for t in webhook_texts(platform))

    code, listing = ops(platform, "list")
    assert code == 0
    row = next(line.split() for line in listing.splitlines() if line.startswith(queue))
    assert int(row[1]) >= 1
    code, shown = ops(platform, "show", queue)
    assert code == 0
    assert "[eventbridge] at rule platform-local-notify" in shown
    assert "injected fault: the target did not answer" in shown
    code, dry = ops(platform, "redrive", queue)
    assert "dry run" in dry
    assert not any(order_id in t for t in webhook_texts(platform))

    code, done = ops(platform, "redrive", queue, "--yes")
    assert code == 0, done
    assert "failed 0" in done
    wait_for(
        lambda: any(f"New order {order_id}" in t for t in webhook_texts(platform)) or None,
        30,
        "the redriven order on the webhook",
    )
    platform.settle()
    # Redriven once more: notify is idempotent, the order is not posted twice.
    assert sum(f"New order {order_id}" in t for t in webhook_texts(platform)) == 1
    assert stored_orders(platform).get(order_id) == 1  # the other rule took it the first time
    code, listing = ops(platform, "list")
    row = next(line.split() for line in listing.splitlines() if line.startswith(queue))
    assert row[1] == "0"


def test_the_operations_walkthrough_brings_the_order_back_once(
    platform: LocalPlatform, tmp_path: Path
) -> None:
    """docs/operations.md's walkthrough as written (the webhook down, an order in notify's
    failure queue, shown, redriven), then what its output cannot show: the order was posted
    once, nothing is left in notify's queue, and the fault it set is lifted."""
    platform.settle()
    run_as_written(
        "docs/operations.md", [block_named("ops-redrive")], checkout_of(platform, tmp_path)
    )
    platform.settle()
    hooks = platform.get(platform.outputs["webhook_messages_url"])
    posted = [m for m in hooks if m["status"] == 200 and "ord-ops-1 " in json.dumps(m["body"])]
    assert len(posted) == 1, hooks
    code, listing = ops(platform, "list")
    row = next(line.split() for line in listing.splitlines() if line.startswith("function:notify"))
    assert (code, row[1]) == (0, "0")
    assert not any(platform.status()["faults"]["rates"].values())  # lifted by the walkthrough


def test_a_poisoned_upload_is_shown_with_its_reason_and_not_redriven_without_force(
    platform: LocalPlatform,
) -> None:
    bad = {"orderId": f"ops-bad-{uuid.uuid4().hex[:6]}", "currency": "EUR"}
    assert platform.upload(bad)[0] == 200
    platform.settle()
    code, shown = ops(platform, "show", "poison", "--max", "50")
    assert code == 0
    assert "[poison] at platform-local-capture-order" in shown
    assert "detail.items: Field required" in shown
    code, refused = ops(platform, "redrive", "poison", "--yes", "--max", "50")
    assert code == 1
    assert "fix its cause, then --force" in refused


def test_an_event_lost_from_its_dlq_comes_back_by_a_replay_of_the_archive_to_its_rule(
    platform: LocalPlatform,
) -> None:
    """The DLQ message is gone (purged, or past its 14 days): the bus archive still has the
    event, and a replay to the one rule that failed brings it to that rule's target only."""
    queue = platform.outputs["dead_letter_queue_urls"]["platform-local-notify/notify"]
    platform.settle()
    platform.inject({"target": NOTIFY, "count": 9})
    started = datetime.now(UTC) - timedelta(seconds=2)
    order_id = f"replay-{uuid.uuid4().hex[:6]}"
    assert platform.upload(order(order_id))[0] == 200
    platform.settle()
    platform.client("sqs").purge_queue(QueueUrl=queue)
    assert not any(order_id in t for t in webhook_texts(platform))
    captured = platform.status()["functions"]["platform-local-capture-order"]["invocations"]
    window = [
        "--start",
        started.isoformat(),
        "--end",
        (datetime.now(UTC) + timedelta(seconds=2)).isoformat(),
    ]

    code, dry = ops(platform, "replay", "--rule", "platform-local-notify", *window)
    assert (code, dry.startswith("dry run: would replay")) == (0, True)
    code, done = ops(platform, "replay", "--rule", "platform-local-notify", *window, "--yes")
    assert code == 0, done
    assert "STARTING" in done
    wait_for(
        lambda: any(f"New order {order_id}" in t for t in webhook_texts(platform)) or None,
        30,
        "the replayed order on the webhook",
    )
    platform.settle()
    assert sum(f"New order {order_id}" in t for t in webhook_texts(platform)) == 1
    # Only the rule asked for: capture-order was not invoked again.
    assert platform.status()["functions"]["platform-local-capture-order"]["invocations"] == captured
    name = done.split()[1].rstrip(":")  # "replay ops-...: STARTING (...)"
    described = platform.client("events").describe_replay(ReplayName=name)
    assert described["State"] == "COMPLETED"
    assert described["Destination"]["FilterArns"] == [
        "arn:aws:events:eu-west-1:123456789012:rule/platform-local-events/platform-local-notify"
    ]


def test_a_stream_batch_past_the_streams_retention_is_re_announced_whole_from_the_table(
    platform: LocalPlatform,
) -> None:
    """A batch of answers fails every retry, then its stream records pass the stream's
    retention: the redrive reads the answers table instead and re-announces every answer
    of the batch (none in the last second of its arrival times is left out), then deletes
    the message."""
    control = platform.outputs["local_control_url"]
    queue = "stream:answers"
    platform.settle()
    run = uuid.uuid4().hex[:6]
    users = [f"r{run}-{n}" for n in range(2)]
    # The first try and 3 retries of the batch, then of each half (bisected): 9 at most.
    platform.inject({"function": "platform-local-answers-stream", "fault": "crash", "count": 9})
    submitted = datetime.now(UTC).isoformat(timespec="milliseconds")
    platform.client("dynamodb").batch_write_item(
        RequestItems={
            platform.outputs["answers_table_name"]: [
                {"PutRequest": {"Item": answer_item(user, "mfa", True, submitted)}}
                for user in users
            ]
        }
    )

    def batches() -> int | None:
        code, shown = ops(platform, "show", queue, "--json")  # shown, then released
        held = sum(json.loads(line)["event"]["batchSize"] for line in shown.splitlines()[:-1])
        return held if code == 0 and held >= len(users) else None

    wait_for(batches, 90, "the failed batch in the stream failure queue")
    platform.settle(timeout=90)
    platform.inject({"disarm": True})  # a crash left over if the records came in two batches

    # The stream lets its records go (AWS: after 24 hours).
    status, answer = platform.post(control + "/_local/streams", {"retentionSeconds": 0})
    assert status == 200, answer
    try:
        code, done = ops(platform, "redrive", queue, "--yes", "--verbose")
    finally:
        platform.post(control + "/_local/streams", {"retentionSeconds": 86400})
    assert code == 0, done
    assert "the stream has not the batch any more (TrimmedDataAccessException)" in done
    assert "failed 0" in done
    platform.settle()
    assessed = platform.client("dynamodb").scan(
        TableName="platform-local-assessments",
        FilterExpression="begins_with(pk, :p)",
        ExpressionAttributeValues={":p": {"S": f"USER#r{run}-"}},
    )["Items"]
    assert sorted(i["pk"]["S"].split("#")[1] for i in assessed) == users
    assert platform.drain(platform.outputs["answers_stream_failure_queue_url"]) == []
    assert platform.status()["streams"]["recordsTrimmed"] >= len(users)
