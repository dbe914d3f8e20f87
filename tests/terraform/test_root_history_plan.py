"""Plan tests of durable channels (terraform/realtime.tf, web.tf): the history table, who may
write and read it, the catch-up route, and turning history off."""

from __future__ import annotations

from typing import Any

import pytest

from tests.terraform.test_root_async_plan import statements
from tests.terraform.test_root_web_plan import module_refs
from tests.terraform.tfplan import HISTORY_OFF_AND_OWN_WEB_ACL, PARTS_LEFT_OUT, Plan, TerraformDir

pytestmark = pytest.mark.terraform


def test_the_history_table_is_keyed_by_channel_and_seq_expires_and_is_encrypted(
    root_plan: Plan,
) -> None:
    table = root_plan.one("module.history_table.aws_dynamodb_table.this[0]").after
    assert table["name"] == "platform-sandbox-channel-history"
    assert (table["hash_key"], table["range_key"]) == ("pk", "sk")
    assert sorted((a["name"], a["type"]) for a in table["attribute"]) == [
        ("pk", "S"),
        ("sk", "N"),
    ]
    assert table["ttl"] == [{"attribute_name": "expiresAt", "enabled": True}]
    assert table["server_side_encryption"][0]["enabled"] is True
    assert table["billing_mode"] == "PAY_PER_REQUEST"


def test_the_channel_handler_may_keep_history_and_nothing_more(root_plan: Plan) -> None:
    granted = statements(root_plan, "channels")
    assert granted["KeepHistory"] == [
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    ]
    assert "module.history_table.arn" in module_refs(root_plan, "channels", "policy_statements")
    env = module_refs(root_plan, "channels", "environment_variables")
    assert "module.history_table.name" in env


def test_the_catch_up_function_may_only_query_the_history_table(root_plan: Plan) -> None:
    assert statements(root_plan, "channel_history") == {"ReadHistory": ["dynamodb:Query"]}
    refs = module_refs(root_plan, "channel_history", "policy_statements")
    assert "module.history_table.arn" in refs


def test_catch_up_is_a_route_of_signed_in_people(root_plan: Plan) -> None:
    routes = {r.after["route_key"]: r.after for r in root_plan.of_type("aws_apigatewayv2_route")}
    assert routes["GET /channels/{proxy+}"]["authorization_type"] == "JWT"
    assert routes["OPTIONS /channels/{proxy+}"]["authorization_type"] == "NONE"
    outputs = root_plan.raw["configuration"]["root_module"]["outputs"]
    assert "channel_history_url" in outputs


def test_chat_and_reports_are_durable_by_default_and_answers_is_not(root_plan: Plan) -> None:
    stack = root_plan.one("module.realtime.aws_cloudformation_stack.this[0]").after
    assert "Namespace" in stack["template_body"]
    variables: dict[str, Any] = root_plan.raw["variables"]["realtime_history"]["value"]
    assert set(variables) == {"chat", "reports"}
    assert {v["ttl_days"] for v in variables.values()} == {7}


def test_history_can_be_turned_off(root: TerraformDir, lambda_zip: Any) -> None:
    # Presence is durable too: without it and without durable namespaces, no history at all.
    plan = root.plan({"lambda_zip": str(lambda_zip), **PARTS_LEFT_OUT})
    assert not [r for r in plan.resources if r.address.startswith("module.history_table.")]
    assert not [r for r in plan.resources if r.address.startswith("module.channel_history.")]
    routes = {r.after["route_key"] for r in plan.of_type("aws_apigatewayv2_route")}
    assert not any(k.endswith("/channels/{proxy+}") for k in routes)
    assert "KeepHistory" not in statements(plan, "channels")
    assert plan.raw["planned_values"]["outputs"]["channel_history_url"]["value"] is None
    assert plan.raw["planned_values"]["outputs"]["history_table_name"]["value"] is None


def test_presence_alone_keeps_a_history_of_its_own(root: TerraformDir, lambda_zip: Any) -> None:
    """The presence namespace is durable: its table and catch-up route stay (the resolved
    HISTORY_NAMESPACES is checked on make local, tests/local/test_plan_ties.py)."""
    plan = root.plan({"lambda_zip": str(lambda_zip), **HISTORY_OFF_AND_OWN_WEB_ACL})
    assert plan.one("module.history_table.aws_dynamodb_table.this[0]")
    routes = {r.after["route_key"] for r in plan.of_type("aws_apigatewayv2_route")}
    assert "GET /channels/{proxy+}" in routes
