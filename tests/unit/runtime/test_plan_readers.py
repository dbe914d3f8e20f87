"""The plan readers over the checked-in plan fixture: what they read, and each refusal at
start, made by editing the fixture as a changed root would plan (a schedule rule, a target
the runtime does not emulate, payload format 1.0, a value unknown until apply, a non-DIRECT
handler, an OIDC auth mode)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from local_runtime.errors import StartError
from local_runtime.plan.changes import Plan
from local_runtime.plan.eventapi import read_event_apis, stack_outputs
from local_runtime.plan.fixture import load
from local_runtime.plan.iam import read_role_policies
from local_runtime.plan.platform import read_platform
from tests.local.platform import ROOT
from tests.unit.runtime.inprocess import FIXTURE

RAW = load(FIXTURE, ROOT)


def read(raw: dict[str, Any]) -> None:
    plan = Plan(raw)
    replacements = stack_outputs(plan, {"events_host": "127.0.0.1:4568"})
    read_platform(plan, replacements)
    read_event_apis(plan, replacements)


def edited(rtype: str, change: Callable[[dict[str, Any]], None], index: int = 0) -> dict[str, Any]:
    raw = copy.deepcopy(RAW)
    found = [r for r in raw["resource_changes"] if r["type"] == rtype]
    change(found[index]["change"])
    return raw


def test_the_fixture_reads_as_the_platform() -> None:
    plan = Plan(RAW)
    replacements = stack_outputs(plan, {"events_host": "127.0.0.1:4568"})
    spec = read_platform(plan, replacements)
    assert len(spec.functions) == 12
    assert {t.kind for r in spec.rules.values() for t in r.targets} == {"lambda"}
    assert [m.table for m in spec.mappings] == ["platform-local-answers", "platform-local-presence"]
    (sweep,) = spec.schedules
    assert (sweep.function, sweep.interval_seconds) == ("platform-local-presence-sweep", 60)
    assert spec.tables["platform-local-presence"].indexes == {"by-expiry": ("shard", "expiresAt")}
    assert spec.not_emulated["aws_cloudwatch_metric_alarm"] == 56
    (api,) = read_event_apis(plan, replacements)
    assert set(api.namespaces) >= {"answers", "reports", "chat"}
    roles = read_role_policies(plan, replacements)
    assert all(not r.unknown for r in roles.values())


def _template(edit: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(c: dict[str, Any]) -> None:
        template = json.loads(c["after"]["template_body"])
        edit(template)
        c["after"]["template_body"] = json.dumps(template)

    return change


def _namespace(template: dict[str, Any]) -> dict[str, Any]:
    return next(
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::AppSync::ChannelNamespace" and r["Properties"].get("HandlerConfigs")
    )


def _oidc(template: dict[str, Any]) -> None:
    api = next(r for r in template["Resources"].values() if r["Type"] == "AWS::AppSync::Api")
    api["Properties"]["EventConfig"]["AuthProviders"].append({"AuthType": "OPENID_CONNECT"})


def _behavior(template: dict[str, Any]) -> None:
    next(iter(_namespace(template)["HandlerConfigs"].values()))["Behavior"] = "CODE"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (
            edited(
                "aws_cloudwatch_event_rule",
                lambda c: c["after"].update(schedule_expression="rate(5 minutes)"),
            ),
            "schedule rules are not emulated locally",
        ),
        (
            edited(
                "aws_cloudwatch_event_target",
                lambda c: c["after"].update(arn="arn:aws:sns:eu-west-1:123456789012:topic"),
            ),
            "targets of 'sns' are not emulated locally (Lambda and SQS are)",
        ),
        (
            edited(
                "aws_apigatewayv2_integration",
                lambda c: c["after"].update(payload_format_version="1.0"),
                index=0,
            ),
            "Lambda proxy payload format 1.0 is not emulated locally (2.0 is)",
        ),
        (
            edited("aws_lambda_function", lambda c: c["after_unknown"].update(environment=True)),
            "module.answers_stream.aws_lambda_function.this[0]: environment[0].variables is "
            "unknown until apply",
        ),
        (
            edited("aws_cloudformation_stack", _template(_oidc)),
            "module.realtime.aws_cloudformation_stack.this[0] Api: the OPENID_CONNECT auth mode "
            "is not emulated locally",
        ),
        (
            edited("aws_cloudformation_stack", _template(_behavior)),
            "behavior CODE is not emulated locally (DIRECT is)",
        ),
    ],
)
def test_what_the_runtime_cannot_run_stops_the_start_by_name(
    raw: dict[str, Any], reason: str
) -> None:
    with pytest.raises(StartError, match=re.escape(reason)):
        read(raw)
