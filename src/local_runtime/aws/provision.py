"""Creating in moto what the plan declares and moto serves: tables, queues, parameters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from local_runtime.plan.models import PlatformSpec


def provision(
    spec: PlatformSpec, clients: Callable[[str], Any], say: Callable[[str], None]
) -> dict[str, str]:
    """Create in moto the tables and queues the plan declares; the stream ARN of each table
    with a stream, by table name."""
    dynamodb, sqs = clients("dynamodb"), clients("sqs")
    streams: dict[str, str] = {}
    for table in spec.tables.values():
        keys = [{"AttributeName": table.hash_key, "KeyType": "HASH"}]
        if table.range_key:
            keys.append({"AttributeName": table.range_key, "KeyType": "RANGE"})
        args: dict[str, Any] = {
            "TableName": table.name,
            "KeySchema": keys,
            "AttributeDefinitions": [
                {"AttributeName": n, "AttributeType": t} for n, t in table.attributes.items()
            ],
            "BillingMode": "PAY_PER_REQUEST",
        }
        if table.indexes:
            args["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": name,
                    "KeySchema": [{"AttributeName": hash_key, "KeyType": "HASH"}]
                    + ([{"AttributeName": range_key, "KeyType": "RANGE"}] if range_key else []),
                    "Projection": {"ProjectionType": "ALL"},
                }
                for name, (hash_key, range_key) in table.indexes.items()
            ]
        if table.stream_view_type:
            args["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": table.stream_view_type,
            }
        created = dynamodb.create_table(**args)["TableDescription"]
        if table.ttl_attribute:
            dynamodb.update_time_to_live(
                TableName=table.name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
            )
        if table.stream_view_type:
            streams[table.name] = created["LatestStreamArn"]
    for queue in spec.queues.values():
        attributes = {
            "MessageRetentionPeriod": str(queue.message_retention_seconds),
            "VisibilityTimeout": str(queue.visibility_timeout_seconds),
        }
        if queue.fifo:
            attributes["FifoQueue"] = "true"
        sqs.create_queue(QueueName=queue.name, Attributes=attributes)
    ssm = clients("ssm")
    for name, value in spec.ssm_parameters.items():
        ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)
    say(
        f"created {len(spec.tables)} tables ({len(streams)} with streams) and "
        f"{len(spec.queues)} queues in the local AWS"
    )
    return streams
