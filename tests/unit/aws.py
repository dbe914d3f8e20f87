"""Helpers for handler tests on moto: tables as the Terraform creates them, EventBridge events."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3

REGION = "eu-west-1"


def create_table(name: str, range_key: bool = True, stream: bool = False) -> Any:
    """An on-demand table keyed by ``pk`` (and ``sk``), optionally with a stream."""
    keys = [("pk", "HASH")] + ([("sk", "RANGE")] if range_key else [])
    extra: dict[str, Any] = {}
    if stream:
        extra["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        }
    return boto3.resource("dynamodb", region_name=REGION).create_table(
        TableName=name,
        KeySchema=[{"AttributeName": k, "KeyType": t} for k, t in keys],
        AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k, _ in keys],
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )


def create_idempotency_table(name: str) -> Any:
    """The table Powertools idempotency expects: key ``id`` (modules/dynamodb-table, root)."""
    return boto3.resource("dynamodb", region_name=REGION).create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def bridge_event(entry: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    """The event a Lambda target receives for a PutEvents ``entry``."""
    return {
        "version": "0",
        "id": event_id or str(uuid.uuid4()),
        "detail-type": entry["DetailType"],
        "source": entry["Source"],
        "account": "123456789012",
        "time": "2026-11-22T08:00:00Z",
        "region": REGION,
        "resources": [],
        "detail": json.loads(entry["Detail"]),
    }


def create_history_table(name: str) -> Any:
    """The channel history table as the Terraform creates it: ``pk`` (S) / ``sk`` (N)."""
    return boto3.resource("dynamodb", region_name=REGION).create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
