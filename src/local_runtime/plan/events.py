"""Bus targets, as the plan gives them."""

from __future__ import annotations

from local_runtime.plan.changes import ARN_NAME, Change, name_from_arn
from local_runtime.plan.errors import UnsupportedError
from local_runtime.plan.models import InputTransformerSpec, TargetSpec


def read_target(change: Change) -> TargetSpec:
    arn = change.get("arn")
    service = ARN_NAME.match(arn)
    kind = service["service"] if service else "?"
    if kind not in {"lambda", "sqs"}:
        raise UnsupportedError(
            f"{change.address}: targets of {kind!r} are not emulated locally (Lambda and SQS are)"
        )
    transformer = change.first("input_transformer")
    if transformer is not None:
        transformer = InputTransformerSpec(
            input_paths=change.get("input_transformer", 0, "input_paths", required=False) or {},
            input_template=change.get("input_transformer", 0, "input_template"),
        )
    retry = change.first("retry_policy") or {}
    dlq = change.first("dead_letter_config")
    return TargetSpec(
        address=change.address,
        rule=change.get("rule"),
        target_id=change.get("target_id"),
        arn=arn,
        kind=kind,
        input=change.get("input", required=False),
        input_path=change.get("input_path", required=False),
        input_transformer=transformer,
        # EventBridge's defaults: 185 attempts over 24 hours.
        maximum_retry_attempts=retry.get("maximum_retry_attempts", 185),
        maximum_event_age_in_seconds=retry.get("maximum_event_age_in_seconds", 86400),
        dead_letter_queue=(
            name_from_arn(
                change.get("dead_letter_config", 0, "arn"),
                change.address,
                "dead_letter_config.arn",
                "sqs",
            )
            if dlq
            else None
        ),
    )
