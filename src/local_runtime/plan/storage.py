"""Tables and queues, as the plan gives them."""

from __future__ import annotations

from local_runtime.plan.changes import Change
from local_runtime.plan.errors import UnsupportedError
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
            indexes=_indexes(change),
        )
    return tables


def _indexes(change: Change) -> dict[str, tuple[str, str | None]]:
    """The table's global secondary indexes; one that projects less than every attribute is
    refused (the runtime would answer queries AWS answers differently)."""
    indexes = {}
    planned = change.after.get("global_secondary_index") or []  # capacities: unknown, unused
    for n in range(len(planned)):
        name = change.get("global_secondary_index", n, "name")
        projection = change.get("global_secondary_index", n, "projection_type")
        if projection != "ALL":
            raise UnsupportedError(
                f"{change.address}: index {name} projects {projection}; the runtime creates "
                "indexes that project ALL"
            )
        range_key = change.get("global_secondary_index", n, "range_key", required=False)
        indexes[name] = (change.get("global_secondary_index", n, "hash_key"), range_key or None)
    return indexes


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
