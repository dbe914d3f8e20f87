"""Tables and queues, as the plan gives them."""

from __future__ import annotations

from local_runtime.plan.changes import Change
from local_runtime.plan.models import QueueSpec, TableSpec


def read_tables(by_type: dict[str, list[Change]]) -> dict[str, TableSpec]:
    tables = {}
    for change in by_type.get("aws_dynamodb_table", []):
        ttl = change.first("ttl") or {}
        name = change.get("name")
        tables[name] = TableSpec(
            address=change.address,
            name=name,
            hash_key=change.get("hash_key"),
            range_key=change.get("range_key", required=False),
            attributes={a["name"]: a["type"] for a in change.get("attribute")},
            stream_view_type=change.get("stream_view_type", required=False)
            if change.get("stream_enabled", required=False)
            else None,
            ttl_attribute=ttl.get("attribute_name") if ttl.get("enabled") else None,
        )
    return tables


def read_queues(by_type: dict[str, list[Change]]) -> dict[str, QueueSpec]:
    queues = {}
    for change in by_type.get("aws_sqs_queue", []):
        name = change.get("name")
        queues[name] = QueueSpec(
            address=change.address,
            name=name,
            fifo=bool(change.get("fifo_queue", required=False)),
            message_retention_seconds=change.get("message_retention_seconds"),
            visibility_timeout_seconds=change.get("visibility_timeout_seconds"),
        )
    return queues
