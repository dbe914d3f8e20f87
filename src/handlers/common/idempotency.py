"""Doing a step once per input: Powertools idempotency over a DynamoDB table of the
function's own, written once for the consumers that need it (notify, security).

The first call with an input runs the step and records its result; a redelivery (Lambda's
retry, EventBridge's at-least-once delivery, an operator's redrive) within ``ttl_seconds``
gets the recorded result and ``on_repeat`` is told. A step that raises leaves no record, so
the retry runs it again. Imported by the first valid event (Powertools' idempotency loads
boto3).

The record is written after the step's side effect (a message posted, an event put). If a
throttle outlasted the SDK's default 3 attempts there, the record would stay "in progress",
the invocation would fail, and once the in-progress lock expired a retry or a redrive would
do the step a second time (the fault-injection test saw exactly that: one order posted
twice). So the idempotency table's client tries ``RECORD_ATTEMPTS`` times, still bounded by
the function's timeout; a record lost past that is the one duplicate left, and it is counted
by the function's Errors alarm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.hook import IdempotentHookFunction
from botocore.config import Config

# Attempts of each idempotency-table request (botocore's standard mode, its backoff capped
# at 20 s per wait): a record write must outlast a throttle (see the module docstring).
RECORD_ATTEMPTS = 10


@dataclass(frozen=True)
class Once:
    """A step made idempotent; register each invocation's context before calling ``run``."""

    config: IdempotencyConfig
    run: Callable[..., dict[str, Any]]
    store: DynamoDBPersistenceLayer


def once(
    step: Callable[..., dict[str, Any]],
    *,
    argument: str,
    key: str,
    table_name: str,
    ttl_seconds: int,
    on_repeat: IdempotentHookFunction,
) -> Once:
    """``step`` run at most once per ``key`` (a JMESPath over the ``argument`` keyword,
    field names as ``model_dump`` gives them)."""
    config = IdempotencyConfig(
        event_key_jmespath=key,
        raise_on_no_idempotency_key=True,
        expires_after_seconds=ttl_seconds,
        response_hook=on_repeat,
    )
    store = DynamoDBPersistenceLayer(
        table_name=table_name,
        boto_config=Config(retries={"mode": "standard", "max_attempts": RECORD_ATTEMPTS}),
    )
    decorate = idempotent_function(
        data_keyword_argument=argument, persistence_store=store, config=config
    )
    return Once(config=config, run=decorate(step), store=store)
