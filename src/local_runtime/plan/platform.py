"""What the plan says runs: functions, tables, queues, the bus, its rules and targets, stream
mappings, HTTP APIs and the root's outputs, read from ``terraform show -json``.

Every value comes from the plan (after ``equivalents``' placeholders are substituted with the
runtime's endpoints). A value the runtime needs that is still unknown, or that it cannot
resolve, raises ``UnresolvedValueError`` naming the resource and the attribute; a feature the
runtime does not emulate (a schedule rule, a target of another kind) raises ``UnsupportedError``.
Nothing falls back to a default the plan did not give.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from local_runtime.plan.changes import Change, Plan, name_from_arn, substitute
from local_runtime.plan.equivalents import (
    ACCOUNT_ID,
    AWS_ENDPOINT,
    CFN_OUTPUT,
    HTTP_API_ENDPOINT,
    WEB_HOST,
)
from local_runtime.plan.errors import UnsupportedError
from local_runtime.plan.events import read_target
from local_runtime.plan.functions import read_function, read_mapping
from local_runtime.plan.http import read_http_api
from local_runtime.plan.models import BusSpec, PlatformSpec, RuleSpec, TargetSpec
from local_runtime.plan.scheduler import read_schedules
from local_runtime.plan.storage import read_queues, read_tables
from local_runtime.plan.web import read_websites

# Resource types the runtime reads; the others (IAM, log groups, permissions, WAF, ...) are
# counted and listed as not emulated.
_READ = {
    "aws_lambda_function",
    "aws_lambda_function_event_invoke_config",
    "aws_dynamodb_table",
    "aws_sqs_queue",
    "aws_cloudwatch_event_bus",
    "aws_cloudwatch_event_archive",
    "aws_cloudwatch_event_rule",
    "aws_cloudwatch_event_target",
    "aws_lambda_event_source_mapping",
    "aws_apigatewayv2_api",
    "aws_apigatewayv2_integration",
    "aws_apigatewayv2_route",
    "aws_apigatewayv2_stage",
    "aws_apigatewayv2_authorizer",
    "aws_ssm_parameter",
    "aws_s3_object",
    "aws_cloudfront_distribution",
    "aws_cloudfront_response_headers_policy",
    "aws_scheduler_schedule",
}


def read_platform(plan: Plan, replacements: Mapping[str, str]) -> PlatformSpec:
    """The platform ``plan`` describes, with ``replacements`` applied to its placeholders."""
    region = plan.region
    changes = list(plan.changes(replacements))
    by_type: dict[str, list[Change]] = {}
    for change in changes:
        by_type.setdefault(change.type, []).append(change)
    not_emulated: dict[str, int] = {}
    for rtype, items in by_type.items():
        # The web ACL of scope CLOUDFRONT is applied in front of the web app (plan/web.py).
        left = [c for c in items if rtype != "aws_wafv2_web_acl" or c.get("scope") != "CLOUDFRONT"]
        if rtype not in _READ and left:
            not_emulated[rtype] = len(left)

    invoke = {
        c.get("function_name"): c
        for c in by_type.get("aws_lambda_function_event_invoke_config", [])
    }
    functions = {}
    for change in by_type.get("aws_lambda_function", []):
        spec = read_function(change, invoke)
        functions[spec.name] = spec.model_copy(update={"arn": spec.arn.format(region=region)})

    tables, queues = read_tables(by_type), read_queues(by_type)

    archives = {
        name_from_arn(c.get("event_source_arn"), c.address, "event_source_arn", "events"): c.get(
            "name"
        )
        for c in by_type.get("aws_cloudwatch_event_archive", [])
    }
    buses = {}
    for change in by_type.get("aws_cloudwatch_event_bus", []):
        name = change.get("name")
        buses[name] = BusSpec(
            address=change.address,
            name=name,
            arn=f"arn:aws:events:{region}:{ACCOUNT_ID}:event-bus/{name}",
            archive=archives.get(name),
        )

    targets: dict[tuple[str, str], list[TargetSpec]] = {}
    for change in by_type.get("aws_cloudwatch_event_target", []):
        target = read_target(change)
        bus = change.get("event_bus_name", required=False) or "default"
        targets.setdefault((bus, target.rule), []).append(target)
    rules = {}
    for change in by_type.get("aws_cloudwatch_event_rule", []):
        name = change.get("name")
        if change.get("schedule_expression", required=False):
            raise UnsupportedError(f"{change.address}: schedule rules are not emulated locally")
        bus = change.get("event_bus_name", required=False) or "default"
        rules[name] = RuleSpec(
            address=change.address,
            name=name,
            arn=f"arn:aws:events:{region}:{ACCOUNT_ID}:rule/{bus}/{name}",
            bus=bus,
            pattern=change.get("event_pattern"),
            enabled=(change.get("state", required=False) or "ENABLED") == "ENABLED",
            targets=tuple(targets.get((bus, name), [])),
        )

    mappings = tuple(read_mapping(c) for c in by_type.get("aws_lambda_event_source_mapping", []))
    http_apis = tuple(
        read_http_api(c, changes)
        for c in by_type.get("aws_apigatewayv2_api", [])
        if c.get("protocol_type") == "HTTP"
    )
    ssm = {c.get("name"): c.get("value") for c in by_type.get("aws_ssm_parameter", [])}

    outputs: dict[str, dict[str, Any]] = {}
    for name, change in plan.output_changes.items():
        if change.get("after_unknown") is True:
            continue
        value = substitute(change.get("after"), replacements)
        if _still_placeholder(value):
            continue
        outputs[name] = {
            "value": value,
            "type": _tf_type(value),
            "sensitive": bool(change.get("after_sensitive")),
        }
    return PlatformSpec(
        region=region,
        account_id=ACCOUNT_ID,
        functions=functions,
        tables=tables,
        queues=queues,
        buses=buses,
        rules=rules,
        mappings=mappings,
        http_apis=http_apis,
        websites=read_websites(by_type),
        schedules=read_schedules(by_type),
        ssm_parameters=ssm,
        outputs=outputs,
        not_emulated=not_emulated,
    )


def _still_placeholder(value: Any) -> bool:
    text = json.dumps(value)
    return any(p in text for p in (AWS_ENDPOINT, HTTP_API_ENDPOINT, CFN_OUTPUT, WEB_HOST))


def _tf_type(value: Any) -> Any:
    """The ``type`` ``terraform output -json`` gives a value (objects and tuples by shape)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return ["object", {k: _tf_type(v) for k, v in value.items()}]
    if isinstance(value, list):
        return ["tuple", [_tf_type(v) for v in value]]
    return "dynamic"
