"""The AWS clients of a function, built on first use and kept for the execution environment.

``functools.cache`` factories, the same idiom as each handler's ``get_settings``: a warm
invocation reuses the client; tests call ``cache_clear()`` to get a fresh one. boto3 is
imported by the first call, so a handler that rejects an event never pays for it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_sqs import SQSClient


@cache
def dynamodb() -> DynamoDBClient:
    import boto3  # noqa: PLC0415 - off the import path (see the module docstring)

    client: DynamoDBClient = boto3.client("dynamodb")
    return client


@cache
def events() -> EventBridgeClient:
    import boto3  # noqa: PLC0415 - off the import path (see the module docstring)

    client: EventBridgeClient = boto3.client("events")
    return client


@cache
def sqs() -> SQSClient:
    import boto3  # noqa: PLC0415 - off the import path (see the module docstring)

    client: SQSClient = boto3.client("sqs")
    return client
