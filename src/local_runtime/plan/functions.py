"""Functions and their stream mappings, as the plan gives them."""

from __future__ import annotations

from local_runtime.plan.changes import Change, name_from_arn
from local_runtime.plan.equivalents import (
    ACCOUNT_ID,
)
from local_runtime.plan.errors import UnsupportedError
from local_runtime.plan.models import AsyncConfig, FunctionSpec, MappingSpec


def read_function(change: Change, invoke: dict[str, Change]) -> FunctionSpec:
    name = change.get("function_name")
    logging = change.first("logging_config") or {}
    config = invoke.get(name)
    async_config = AsyncConfig()
    if config is not None:
        destination = config.first("destination_config")
        failure = (destination or {}).get("on_failure") or []
        queue = None
        if failure:
            arn = config.get("destination_config", 0, "on_failure", 0, "destination")
            queue = name_from_arn(arn, config.address, "on_failure.destination", "sqs")
        async_config = AsyncConfig(
            maximum_retry_attempts=config.get("maximum_retry_attempts"),
            maximum_event_age_in_seconds=config.get("maximum_event_age_in_seconds"),
            on_failure_queue=queue,
        )
    # Every variable must be known: an unknown one stops the runtime, naming it.
    variables = change.get("environment", 0, "variables", required=False) or {}
    reserved = change.get("reserved_concurrent_executions", required=False)
    return FunctionSpec(
        address=change.address,
        name=name,
        arn=f"arn:aws:lambda:{{region}}:{ACCOUNT_ID}:function:{name}",
        handler=change.get("handler"),
        role=change.get("role"),
        runtime=change.get("runtime"),
        timeout=change.get("timeout"),
        memory_size=change.get("memory_size"),
        environment={k: str(v) for k, v in variables.items()},
        application_log_level=logging.get("application_log_level"),
        log_format=logging.get("log_format") or "Text",
        log_group=logging.get("log_group") or f"/aws/lambda/{name}",
        async_config=async_config,
        reserved_concurrency=None if reserved is None or reserved < 0 else int(reserved),
    )


def read_mapping(change: Change) -> MappingSpec:
    source = change.get("event_source_arn")
    if ":dynamodb:" not in source:
        raise UnsupportedError(
            f"{change.address}: only DynamoDB stream sources are emulated locally ({source})"
        )
    destination = change.first("destination_config")
    failure = (destination or {}).get("on_failure") or []
    filters = change.first("filter_criteria")
    patterns = tuple(
        str(f["pattern"]) for f in (filters or {}).get("filter") or () if f.get("pattern")
    )
    return MappingSpec(
        address=change.address,
        function=name_from_arn(
            change.get("function_name"), change.address, "function_name", "lambda"
        )
        if change.get("function_name").startswith("arn:")
        else change.get("function_name"),
        table=name_from_arn(source, change.address, "event_source_arn", "dynamodb"),
        starting_position=change.get("starting_position"),
        batch_size=change.get("batch_size"),
        maximum_batching_window_in_seconds=change.get(
            "maximum_batching_window_in_seconds", required=False
        )
        or 0,
        maximum_retry_attempts=change.get("maximum_retry_attempts"),
        maximum_record_age_in_seconds=change.get("maximum_record_age_in_seconds"),
        bisect_batch_on_function_error=bool(
            change.get("bisect_batch_on_function_error", required=False)
        ),
        report_batch_item_failures="ReportBatchItemFailures"
        in (change.get("function_response_types", required=False) or []),
        on_failure_queue=name_from_arn(
            change.get("destination_config", 0, "on_failure", 0, "destination_arn"),
            change.address,
            "destination_config.on_failure.destination_arn",
            "sqs",
        )
        if failure
        else None,
        filters=patterns,
    )
