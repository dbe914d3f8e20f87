"""tools/migrate_state.py: an existing deployment's rules move to the flows that own them."""

from __future__ import annotations

import pytest

from migrate_state import UnknownRuleError, moves
from tests.terraform.tfplan import Plan

pytestmark = pytest.mark.terraform

FLOW_MODULES = ("module.ingest_rules.", "module.async_rules.")


def test_every_object_of_the_flows_rules_comes_from_the_old_bus_module(root_plan: Plan) -> None:
    # What a flow's rules module manages now, and where the state of an earlier version
    # holds it: the same object under module.event_bus.
    now = sorted(
        r.address
        for r in root_plan.resources
        if r.mode == "managed"
        and r.address.startswith(FLOW_MODULES)
        and r.type != "aws_cloudwatch_metric_alarm"  # new with this version: nothing to move
    )
    assert len(now) == 4 * 5  # 4 rules, each with a target, queue, queue policy, permission
    before = ["module.event_bus." + a.split(".", 2)[2] for a in now] + [
        "module.event_bus.aws_cloudwatch_event_bus.this[0]",  # stays where it is
        "module.event_bus.aws_cloudwatch_event_archive.this[0]",
        'module.event_bus.data.aws_iam_policy_document.dlq["platform-sandbox-notify/notify"]',
        "module.ingest_api.aws_apigatewayv2_api.this[0]",
    ]
    planned = moves(before)
    assert sorted(target for _, target in planned) == now
    assert all(source.startswith("module.event_bus.") for source, _ in planned)
    assert (
        'module.event_bus.aws_sqs_queue.dlq["platform-sandbox-security/security"]',
        'module.async_rules.aws_sqs_queue.dlq["platform-sandbox-security/security"]',
    ) in planned


def test_a_migrated_state_has_nothing_to_move() -> None:
    assert moves(['module.ingest_rules.aws_cloudwatch_event_rule.this["p-e-notify"]']) == []


def test_a_rule_no_flow_owns_is_named() -> None:
    with pytest.raises(UnknownRuleError, match="'p-e-audit' is not one of the platform's"):
        moves(['module.event_bus.aws_cloudwatch_event_rule.this["p-e-audit"]'])
