"""DynamoDB Streams' retention, which moto does not have: old records are trimmed.

AWS keeps a stream record 24 hours; after that it "is subject to removal (trimming) from the
stream", and a read at a trimmed position fails with ``TrimmedDataAccessException`` (HTTP
400): a shard iterator asked for a sequence number older than the trim point, or an iterator
whose next record was trimmed before ``GetRecords`` used it (DynamoDB Streams API reference,
``TrimmedDataAccessException``; botocore's ``dynamodbstreams`` model lists it for both
operations). moto keeps every record for ever, and fails such a read with a server error.

Here, before each DynamoDB Streams request, the records older than ``seconds`` (24 hours
unless ``--stream-retention`` or ``POST /_local/streams`` says otherwise) are dropped from
the front of each shard, and a read before the oldest record left answers as AWS does. Trimming
happens while a request is answered, not on a clock: a record is gone by the first read after
its time. The shard and the sequence numbers of the records left are unchanged.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import timedelta
from typing import Any

from moto.core.utils import utcnow
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import StreamShard
from moto.dynamodbstreams.models import dynamodbstreams_backends
from werkzeug.wrappers import Response

TARGET = "DynamoDBStreams_20120810."
AWS_RETENTION_SECONDS = 24 * 3600
_ERROR = "com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException"
_log = logging.getLogger(__name__)


class StreamRetention:
    """How long stream records live, and the trimming that enforces it."""

    def __init__(self, seconds: float = AWS_RETENTION_SECONDS) -> None:
        self.seconds = seconds
        self.trimmed = 0  # records trimmed so far (shown in /_local/status)
        self._lock = threading.Lock()

    def answer(self, operation: str, body: Any) -> Response | None:
        """AWS's refusal of a read at a trimmed position (after trimming what is due); None
        when moto may answer the request."""
        self.trim()
        if not isinstance(body, dict):
            return None
        if operation == "GetShardIterator":
            return self._iterator_refusal(body)
        if operation == "GetRecords":
            return self._records_refusal(body)
        return None

    def trim(self) -> None:
        cutoff = utcnow() - timedelta(seconds=self.seconds)
        with self._lock:
            for shard in _shards():
                old = 0
                for record in shard.items:
                    if record.record["dynamodb"]["ApproximateCreationDateTime"] >= cutoff:
                        break
                    old += 1
                if old:
                    del shard.items[:old]
                    shard.starting_sequence_number += old
                    self.trimmed += old

    def _iterator_refusal(self, body: dict[str, Any]) -> Response | None:
        kind = body.get("ShardIteratorType")
        if kind not in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
            return None
        shard = _shard_of(str(body.get("StreamArn", "")))
        try:
            wanted = int(body.get("SequenceNumber", ""))
        except ValueError:
            return None  # moto's own validation answers
        if kind == "AFTER_SEQUENCE_NUMBER":
            wanted += 1
        if shard is None or wanted >= shard.starting_sequence_number:
            return None
        return _trimmed(f"sequence number {body.get('SequenceNumber')} is before the trim point")

    def _records_refusal(self, body: dict[str, Any]) -> Response | None:
        arn = str(body.get("ShardIterator", ""))
        for backend in _streams_backends():
            iterator = backend.shard_iterators.get(arn)
            if iterator is None:
                continue
            if int(iterator.sequence_number) < iterator.stream_shard.starting_sequence_number:
                return _trimmed("the iterator's next record was trimmed before this read")
            return None
        return None


def _trimmed(detail: str) -> Response:
    _log.debug("TrimmedDataAccessException: %s", detail)
    answer = {
        "__type": _ERROR,
        # AWS's message, as the SDKs document the error; the reason goes to the debug log.
        "message": "The data you are trying to access has been trimmed.",
    }
    return Response(json.dumps(answer), status=400, content_type="application/x-amz-json-1.0")


def _shards() -> list[StreamShard]:
    shards = []
    for regions in dynamodb_backends.values():
        for backend in regions.values():
            for table in list(backend.tables.values()):
                if table.stream_shard is not None:
                    shards.append(table.stream_shard)
    return shards


def _shard_of(stream_arn: str) -> StreamShard | None:
    parts = stream_arn.split(":", 5)
    if len(parts) < 6 or "/" not in parts[5]:
        return None
    region, account, table_name = parts[3], parts[4], parts[5].split("/")[1]
    try:
        table = dynamodb_backends[account][region].tables.get(table_name)
    except KeyError:
        return None
    return None if table is None else table.stream_shard


def _streams_backends() -> list[Any]:
    return [
        backend for regions in dynamodbstreams_backends.values() for backend in regions.values()
    ]
