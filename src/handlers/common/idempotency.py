"""Doing a step once per input: Powertools idempotency over a DynamoDB table of the
function's own, written once for the consumers that need it (notify, security).

The first call with an input runs the step and records its result; a redelivery (Lambda's
retry, EventBridge's at-least-once delivery, an operator's redrive) within ``ttl_seconds``
gets the recorded result and ``on_repeat`` is told. A step that raises leaves no record, so
the retry runs it again. Imported by the first valid event (Powertools' idempotency loads
boto3).
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


@dataclass(frozen=True)
class Once:
    """A step made idempotent; register each invocation's context before calling ``run``."""

    config: IdempotencyConfig
    run: Callable[..., dict[str, Any]]


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
    decorate = idempotent_function(
        data_keyword_argument=argument,
        persistence_store=DynamoDBPersistenceLayer(table_name=table_name),
        config=config,
    )
    return Once(config=config, run=decorate(step))
