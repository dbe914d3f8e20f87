"""Plan tests of the public edge (terraform/edge.tf): CloudFront's web ACL in us-east-1 in front
of the web app and POST /uploads, with a limit per caller token."""

from __future__ import annotations

from typing import Any

import pytest

from tests.terraform.tfplan import (
    HISTORY_OFF_AND_OWN_WEB_ACL,
    KEY_MADE_AND_WEBHOOK,
    WEB_ACL,
    Plan,
    TerraformDir,
)

pytestmark = pytest.mark.terraform

ACL = "module.edge_waf.aws_wafv2_web_acl.this[0]"
DISTRIBUTION = "module.web.aws_cloudfront_distribution.this[0]"


def rules(plan: Plan) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in plan.one(ACL).after["rule"]}


def test_the_edge_web_acl_is_cloudfronts_in_us_east_1(root_plan: Plan) -> None:
    assert root_plan.one(ACL).after["scope"] == "CLOUDFRONT"
    calls = root_plan.raw["configuration"]["root_module"]["module_calls"]
    for resource in calls["edge_waf"]["module"]["resources"]:
        assert resource["provider_config_key"] == "aws.us_east_1", resource["address"]
    provider = root_plan.raw["configuration"]["provider_config"]["aws.us_east_1"]
    assert provider["expressions"]["region"]["constant_value"] == "us-east-1"
    # Only the edge uses it (its WAF and the key of its log group): everything else is in
    # the platform's region.
    others = [
        r["address"]
        for r in root_plan.raw["configuration"]["root_module"]["resources"]
        if r.get("provider_config_key") == "aws.us_east_1"
    ]
    assert sorted(others) == ["aws_kms_key.edge", "aws_kms_key_policy.edge"]
    config = root_plan.config("module.web.aws_cloudfront_distribution.this")
    assert "var.web_acl_arn" in config["expressions"]["web_acl_id"]["references"]
    web = root_plan.raw["configuration"]["root_module"]["module_calls"]["web"]
    assert "local.edge_web_acl_arn" in web["expressions"]["web_acl_arn"]["references"]


def test_each_caller_token_has_its_own_upload_limit(root_plan: Plan) -> None:
    rule = rules(root_plan)["rate-limit-uploads-per-caller"]
    assert rule["action"][0]["block"], rule["action"]
    statement = rule["statement"][0]["rate_based_statement"][0]
    assert statement["aggregate_key_type"] == "CUSTOM_KEYS"
    assert statement["custom_key"][0]["header"][0]["name"] == "authorization"
    assert (statement["limit"], statement["evaluation_window_sec"]) == (300, 300)
    scope = statement["scope_down_statement"][0]["byte_match_statement"][0]
    assert (scope["search_string"], scope["positional_constraint"]) == ("/uploads", "STARTS_WITH")
    # Evaluated before the managed groups, after the per-IP limit.
    assert rules(root_plan)["rate-limit-per-ip"]["priority"] < rule["priority"] < 30


def test_an_upload_that_is_not_a_json_object_is_blocked_at_the_edge(root_plan: Plan) -> None:
    rule = rules(root_plan)["json-object-body-0"]
    parts = rule["statement"][0]["and_statement"][0]["statement"]
    assert parts[0]["byte_match_statement"][0]["search_string"] == "/uploads"
    assert parts[1]["byte_match_statement"][0]["search_string"] == "POST"
    assert rule["action"][0]["block"], rule["action"]
    regex = parts[2]["not_statement"][0]["statement"][0]["regex_match_statement"][0]
    assert regex["regex_string"] == r"^\s*\{"
    assert regex["field_to_match"][0]["body"][0]["oversize_handling"] == "CONTINUE"


def test_uploads_go_through_the_distribution_to_the_http_api(root_plan: Plan) -> None:
    after = root_plan.one(DISTRIBUTION).after
    (api,) = [o for o in after["origin"] if o["origin_id"] == "api"]
    assert api["custom_origin_config"][0]["origin_protocol_policy"] == "https-only"
    behaviour = next(b for b in after["ordered_cache_behavior"] if b["path_pattern"] == "/uploads")
    assert behaviour["target_origin_id"] == "api"
    assert "POST" in behaviour["allowed_methods"]
    web = root_plan.raw["configuration"]["root_module"]["module_calls"]["web"]
    assert "module.ingest_api.api_endpoint" in web["expressions"]["api_origin"]["references"]
    upload_url = root_plan.raw["configuration"]["root_module"]["outputs"]["upload_url"]
    assert "module.web.url" in upload_url["expression"]["references"]


def test_your_own_web_acl_replaces_the_edges(root: TerraformDir, lambda_zip: Any) -> None:
    plan = root.plan({"lambda_zip": str(lambda_zip), **HISTORY_OFF_AND_OWN_WEB_ACL})
    assert not [r for r in plan.resources if r.address.startswith("module.edge_waf.")]
    assert plan.one(DISTRIBUTION).after["web_acl_id"] == WEB_ACL


def test_with_the_platforms_key_the_edge_logs_have_a_key_of_their_own(
    root: TerraformDir, lambda_zip: Any
) -> None:
    plan = root.plan({"lambda_zip": str(lambda_zip), **KEY_MADE_AND_WEBHOOK})
    assert plan.one("aws_kms_key.edge[0]").after["enable_key_rotation"] is True
    config = plan.config("module.edge_waf.aws_cloudwatch_log_group.this")
    call = plan.raw["configuration"]["root_module"]["module_calls"]["edge_waf"]
    assert "aws_kms_key_policy.edge" in call["expressions"]["log_kms_key_arn"]["references"]
    assert "var.log_kms_key_arn" in config["expressions"]["kms_key_id"]["references"]
    (logs,) = [
        st
        for address, st in plan.iam_statements()
        if address == "data.aws_iam_policy_document.edge_kms[0]"
        and st.get("sid") == "CloudWatchLogsEncryptsTheEdgeWafLogGroup"
    ]
    assert logs["principals"] == [
        {"type": "Service", "identifiers": ["logs.us-east-1.amazonaws.com"]}
    ]
    (condition,) = logs["condition"]
    assert condition["variable"] == "kms:EncryptionContext:aws:logs:arn"
    assert condition["test"] == "ArnLike"  # the one log group, by ARN (account: known at apply)
