"""Plan tests of modules/waf-web-acl through its example."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.terraform.tfplan import Plan, TerraformDir

pytestmark = pytest.mark.terraform

Example = Callable[[str], TerraformDir]
API_ARN = "arn:aws:appsync:eu-west-1:123456789012:apis/abcdefghijklmnopqrstuvwxyz"


@pytest.fixture(scope="module")
def waf_plan(example: Example) -> Plan:
    return example("waf-web-acl").plan()


def rules_of(plan: Plan) -> dict[str, dict[str, Any]]:
    acl = plan.one("module.waf.aws_wafv2_web_acl.this[0]").after
    return {rule["name"]: rule for rule in acl["rule"]}


def test_rules_deny_list_then_rate_limit_then_managed_groups(waf_plan: Plan) -> None:
    acl = waf_plan.one("module.waf.aws_wafv2_web_acl.this[0]").after
    assert acl["scope"] == "REGIONAL"
    assert acl["default_action"] == [{"allow": [{"custom_request_handling": []}], "block": []}]
    order = [r["name"] for r in sorted(acl["rule"], key=lambda r: r["priority"])]
    assert order == [
        "ip-deny-ipv4",
        "rate-limit-per-ip",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
    ]


def test_rate_limit_blocks_per_ip(waf_plan: Plan) -> None:
    rule = rules_of(waf_plan)["rate-limit-per-ip"]
    assert rule["action"][0]["block"] == [{"custom_response": []}]
    statement = rule["statement"][0]["rate_based_statement"][0]
    assert statement["limit"] == 500
    assert statement["aggregate_key_type"] == "IP"
    assert statement["evaluation_window_sec"] == 300


def test_managed_groups_apply_their_own_actions(waf_plan: Plan) -> None:
    rules = rules_of(waf_plan)
    for name in ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"):
        assert rules[name]["override_action"] == [{"count": [], "none": [{}]}]
        group = rules[name]["statement"][0]["managed_rule_group_statement"][0]
        assert (group["name"], group["vendor_name"]) == (name, "AWS")


def test_deny_list_is_an_ipv4_set(waf_plan: Plan) -> None:
    ip_set = waf_plan.one('module.waf.aws_wafv2_ip_set.this["deny-ipv4"]').after
    assert ip_set["addresses"] == ["198.51.100.0/24"]
    assert ip_set["ip_address_version"] == "IPV4"
    assert ip_set["scope"] == "REGIONAL"


def test_association_points_at_the_api(waf_plan: Plan) -> None:
    association = waf_plan.one('module.waf.aws_wafv2_web_acl_association.this["event_api"]')
    assert association.after["resource_arn"] == API_ARN


def test_logs_go_to_a_waf_log_group_without_credentials(waf_plan: Plan) -> None:
    group = waf_plan.one("module.waf.aws_cloudwatch_log_group.this[0]").after
    assert group["name"] == "aws-waf-logs-example-realtime"
    assert group["retention_in_days"] == 365
    logging = waf_plan.one("module.waf.aws_wafv2_web_acl_logging_configuration.this[0]").after
    redacted = sorted(f["single_header"][0]["name"] for f in logging["redacted_fields"])
    assert redacted == ["authorization", "x-amz-security-token", "x-api-key"]
    config = waf_plan.config("module.waf.aws_wafv2_web_acl_logging_configuration.this")
    refs = config["expressions"]["log_destination_configs"]["references"]
    assert "aws_cloudwatch_log_group.this[0].arn" in refs
