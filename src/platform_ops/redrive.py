"""Bringing a queued message back, per kind, and never deleting it before that succeeded.

- ``eventbridge``: the event goes to the one target it failed for (an asynchronous Lambda
  invocation, as EventBridge invokes it), or with ``--to bus`` back on the bus (every rule
  that matches sees it again).
- ``lambda``: the original request payload, invoked again asynchronously (Lambda's own retries
  and failure queue apply again).
- ``stream``: the failed batch re-read from the stream by its shard and sequence range, and
  handed to the function as Lambda would (``{"Records": [...]}``, synchronously: the answer's
  ``batchItemFailures`` must be empty). Past the stream's 24 hours the records are gone: the
  answers table, the source of truth, is read instead, and every answer stored in a window
  around the batch's arrival times is announced again (the security service is idempotent,
  so an answer too many costs nothing). The message is kept unless at least as many answers
  were found as the batch held. Presence changes are re-read from the stream only: past its
  24 hours the members table is what is true now, and the message is kept, never guessed at.
- ``poison``: permanent by definition; only with ``--force``, once the cause is fixed (a
  questionnaire added, a contract widened), the payload goes back to its function.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from botocore.exceptions import ClientError

from platform_ops.deployment import Deployment
from platform_ops.messages import Decoded

Target = Literal["target", "bus"]


# The window of answers re-announced for an expired stream batch, around its arrival times.
# Lambda gives those in whole seconds (truncated), and an answer's ``submittedAt`` is taken
# before its write, so before its arrival: the window starts well before the first arrival
# and ends after the last one's second, with room for clock skew between writer and stream.
WINDOW_BEFORE = timedelta(minutes=5)
WINDOW_AFTER = timedelta(seconds=1) + timedelta(minutes=1)


class RedriveError(RuntimeError):
    """The message could not be brought back (entirely); it stays in its queue."""


def redrive(
    deployment: Deployment, message: Decoded, *, to: Target = "target", force: bool = False
) -> str:
    """Bring ``message`` back; a short account of what was done. Raises RedriveError."""
    if message.kind == "eventbridge":
        if to == "bus":
            return _put_on_bus(deployment, message)
        target = message.attributes.get("TARGET_ARN", "")
        if ":function:" not in target:
            raise RedriveError(f"target {target or '?'} is not a Lambda function: use --to bus")
        _invoke(deployment, target, message.body, asynchronous=True)
        return f"invoked {_name(target)}"
    if message.kind == "lambda":
        function = str(message.body["requestContext"]["functionArn"])
        _invoke(deployment, function, message.body["requestPayload"], asynchronous=True)
        return f"invoked {_name(function)}"
    if message.kind == "stream":
        return _redrive_stream(deployment, message)
    if message.kind == "poison":
        if not force:
            raise RedriveError(
                "a poisoned event can never succeed as it is: fix its cause, then --force"
            )
        function = str(message.body["function"])
        payload = message.body["payload"]
        if isinstance(payload, dict) and payload.get("eventSource") == "aws:dynamodb":
            _stream_batch(deployment, function, [payload])
            return f"handed the record to {function}"
        _invoke(deployment, function, payload, asynchronous=True)
        return f"invoked {function}"
    raise RedriveError("not a message of the platform (unknown shape): left in place")


def _name(arn: str) -> str:
    return arn.rsplit(":function:", maxsplit=1)[-1].split(":", maxsplit=1)[0]


def _invoke(deployment: Deployment, function: str, payload: Any, *, asynchronous: bool) -> Any:
    answer = deployment.client("lambda").invoke(
        FunctionName=_name(function),
        InvocationType="Event" if asynchronous else "RequestResponse",
        Payload=json.dumps(payload).encode(),
    )
    status = int(answer.get("StatusCode", 0))
    if asynchronous:
        if status != 202:
            raise RedriveError(f"{_name(function)} did not take the invocation (HTTP {status})")
        return None
    result = json.loads(answer["Payload"].read() or b"null")
    if answer.get("FunctionError"):
        raise RedriveError(f"{_name(function)} failed: {result}")
    return result


def _put_on_bus(deployment: Deployment, message: Decoded) -> str:
    event = message.body
    rule = message.attributes.get("RULE_ARN", "")
    bus = rule.split(":rule/")[-1].split("/")[0] if "/" in rule.split(":rule/")[-1] else "default"
    answer = deployment.client("events").put_events(
        Entries=[
            {
                "Source": event["source"],
                "DetailType": event["detail-type"],
                "Detail": json.dumps(event["detail"]),
                "Resources": event.get("resources") or [],
                "EventBusName": bus,
            }
        ]
    )
    if answer.get("FailedEntryCount"):
        raise RedriveError(f"the bus refused the event: {answer['Entries'][0]}")
    return f"put back on {bus}"


def _stream_batch(deployment: Deployment, function: str, records: list[dict[str, Any]]) -> None:
    result = _invoke(deployment, function, {"Records": records}, asynchronous=False)
    failures = (result or {}).get("batchItemFailures") or []
    if failures:
        raise RedriveError(f"{_name(function)} failed {len(failures)} of {len(records)} records")


def _redrive_stream(deployment: Deployment, message: Decoded) -> str:
    info = message.body["DDBStreamBatchInfo"]
    function = str(message.body["requestContext"]["functionArn"])
    try:
        records = list(_read_range(deployment, info))
    except ClientError as exc:  # trimmed (TrimmedDataAccessException), or the stream gone
        records, why = [], str(exc.response.get("Error", {}).get("Code", "ClientError"))
    except Exception as exc:  # noqa: BLE001 - whatever else failed: the table remains
        records, why = [], f"{type(exc).__name__}"
    else:
        why = "no record left in the range"
    if records:
        _stream_batch(deployment, function, records)
        return f"re-read {len(records)} records from the stream into {_name(function)}"
    table = str(info["streamArn"]).split(":table/")[-1].split("/stream/")[0]
    if table != deployment.answers_table:
        # Presence (the other stream) is state, not a log: the members table answers who is
        # present now, and announcing a day-old change would mislead watchers.
        raise RedriveError(
            f"the stream has not the batch any more ({why}); only answers are re-announced "
            f"from their table, not {table}'s changes: kept for a closer look"
        )
    items = _answers_in_window(deployment, info)
    if not items:
        raise RedriveError(f"the stream has not the batch ({why}) and no answer is in its window")
    _stream_batch(deployment, function, [_insert_record(item, info) for item in items])
    done = (
        f"the stream has not the batch any more ({why}): re-announced {len(items)} answers "
        f"from the table into {_name(function)}"
    )
    held = info.get("batchSize")
    if not isinstance(held, int) or len(items) < held:
        # Some of the batch's answers are not in the table's window (changed or deleted
        # since, or a clock far off): keep the message so that nothing is dropped unseen.
        raise RedriveError(f"{done}, but the batch held {held}: kept for a closer look")
    return done


def _read_range(deployment: Deployment, info: dict[str, Any]) -> Iterator[dict[str, Any]]:
    streams = deployment.client("dynamodbstreams")
    end = int(info["endSequenceNumber"])
    iterator = streams.get_shard_iterator(
        StreamArn=info["streamArn"],
        ShardId=info["shardId"],
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=info["startSequenceNumber"],
    )["ShardIterator"]
    for _ in range(1000):  # bounded: a batch is at most 10,000 records
        page = streams.get_records(ShardIterator=iterator, Limit=1000)
        for record in page.get("Records", []):
            if int(record["dynamodb"]["SequenceNumber"]) > end:
                return
            yield _as_lambda_record(record, info["streamArn"])
        iterator = page.get("NextShardIterator")
        if not iterator or not page.get("Records"):
            return


def _as_lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A GetRecords record as Lambda hands it to a function (times as epoch seconds)."""
    shaped: dict[str, Any] = json.loads(json.dumps(record, default=_epoch))
    shaped["eventSourceARN"] = stream_arn
    return shaped


def _epoch(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(type(value).__name__)


def _answers_in_window(deployment: Deployment, info: dict[str, Any]) -> list[dict[str, Any]]:
    if not deployment.answers_table:
        raise RedriveError("the outputs name no answers table to re-announce from")
    first = _when(info.get("approximateArrivalOfFirstRecord"))
    last = _when(info.get("approximateArrivalOfLastRecord"))
    if first is None or last is None:
        raise RedriveError("the failure record gives no time window to re-announce")
    found = []
    paginator = deployment.client("dynamodb").get_paginator("scan")
    for page in paginator.paginate(TableName=deployment.answers_table):
        for item in page.get("Items", []):
            stored = _when((item.get("submittedAt") or {}).get("S"))
            if stored is not None and first - WINDOW_BEFORE <= stored <= last + WINDOW_AFTER:
                found.append(item)
    return found


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _insert_record(item: dict[str, Any], info: dict[str, Any]) -> dict[str, Any]:
    """An INSERT record of ``item`` (typed attributes) as the stream would have given it."""
    return {
        "eventID": f"redrive-{item['pk']['S']}-{item['sk']['S']}",
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "eventSourceARN": info["streamArn"],
        "dynamodb": {
            "Keys": {"pk": item["pk"], "sk": item["sk"]},
            "NewImage": item,
            "SequenceNumber": "0",
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }
