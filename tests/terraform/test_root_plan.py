"""Plan tests of terraform/: the whole platform, planned with no AWS account."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from handlers.contracts import ANSWER_SUBMITTED, REPORT_READY, UPLOAD_RECEIVED, EventContract
from tests.terraform.tfplan import (
    KEY,
    KEY_MADE_AND_WEBHOOK,
    ROOT,
    USERS_OFF_AND_INGEST_PUBLIC,
    Plan,
    TerraformDir,
    actions_of,
    terraform_binary,
    tf_env,
)

pytestmark = pytest.mark.terraform


def test_fmt_is_clean() -> None:
    result = subprocess.run(
        [terraform_binary(), "fmt", "-check", "-recursive", "-diff", "-no-color"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**tf_env(), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, f"run `make fmt`:\n{result.stdout}{result.stderr}"


def test_root_validates_with_the_committed_lock_file(root: TerraformDir) -> None:
    assert "hashicorp/aws v5.100.0" in root.init_output
    result = root.validate()
    assert result["valid"], result["diagnostics"]
    assert result["warning_count"] == 0, result["diagnostics"]


def test_integration_puts_the_body_and_the_token_subject_on_the_bus(root_plan: Plan) -> None:
    integration = root_plan.one("module.ingest_api.aws_apigatewayv2_integration.this[0]").after
    assert integration["integration_type"] == "AWS_PROXY"
    assert integration["integration_subtype"] == "EventBridge-PutEvents"
    assert integration["payload_format_version"] == "1.0"
    assert integration["request_parameters"] == {
        "Source": UPLOAD_RECEIVED.source,
        "DetailType": UPLOAD_RECEIVED.detail_type,
        # The body as sent, with no JSON composed around it; the customer is the resource,
        # where the body cannot reach (handlers.contracts.UploadReceived).
        "Detail": "$request.body",
        "Resources": "customer/${context.authorizer.claims.sub}",
        "EventBusName": "platform-sandbox-events",
    }
    config = root_plan.config("module.ingest_api.aws_apigatewayv2_integration.this")
    assert (
        "aws_iam_role.integration[0].arn" in config["expressions"]["credentials_arn"]["references"]
    )


def test_uploads_take_tokens_of_the_platforms_user_pool_by_default(root_plan: Plan) -> None:
    route = root_plan.one("module.ingest_api.aws_apigatewayv2_route.this[0]").after
    assert route["route_key"] == "POST /uploads"
    assert route["authorization_type"] == "JWT"
    config = root_plan.config("module.ingest_api.aws_apigatewayv2_route.this")
    assert (
        "aws_apigatewayv2_authorizer.jwt[0].id"
        in (config["expressions"]["authorizer_id"]["references"])
    )
    authorizer = root_plan.one("module.ingest_api.aws_apigatewayv2_authorizer.jwt[0]").after
    assert authorizer["authorizer_type"] == "JWT"
    assert authorizer["identity_sources"] == ["$request.header.Authorization"]
    locals_refs = root_plan.raw["configuration"]["root_module"]["module_calls"]["ingest_api"]
    assert "local.ingest_authorizer" in locals_refs["expressions"]["jwt_authorizer"]["references"]
    # The issuer and audience are the pool's and its app client's (known after apply).
    unknown = root_plan.one("module.ingest_api.aws_apigatewayv2_authorizer.jwt[0]").after_unknown
    assert unknown["jwt_configuration"][0] == {"issuer": True, "audience": True}


def test_a_public_ingest_route_is_explicit_and_warned_about(
    root: TerraformDir, lambda_zip: object
) -> None:
    tf_vars = {"lambda_zip": str(lambda_zip), **USERS_OFF_AND_INGEST_PUBLIC}
    plan = root.plan(tf_vars)
    route = plan.one("module.ingest_api.aws_apigatewayv2_route.this[0]").after
    assert route["authorization_type"] == "NONE"
    assert plan.of_type("aws_apigatewayv2_authorizer") == [
        r for r in plan.of_type("aws_apigatewayv2_authorizer") if "lambda_route" in r.address
    ]
    integration = plan.one("module.ingest_api.aws_apigatewayv2_integration.this[0]").after
    assert integration["request_parameters"]["Detail"] == "$request.body"
    assert integration["request_parameters"]["Resources"] == "customer/anonymous"
    text = root.plan_text(tf_vars)
    assert "Warning: Check block assertion failed" in text
    assert "POST /uploads is public (ingest_public = true): anyone may post orders" in text


def test_api_role_may_only_put_events_on_the_bus(root_plan: Plan) -> None:
    statements = [
        st
        for addr, st in root_plan.iam_statements()
        if addr.startswith("module.ingest_api.")
        and "config" not in st
        and "sts:AssumeRole" not in actions_of(st)
    ]
    assert [actions_of(st) for st in statements] == [["events:PutEvents"]]
    doc = root_plan.config("module.ingest_api.data.aws_iam_policy_document.put_events")
    resources = doc["expressions"]["statement"][0]["resources"]["references"]
    assert resources == ["var.event_bus_arn"]
    call = root_plan.raw["configuration"]["root_module"]["module_calls"]["ingest_api"]
    assert call["expressions"]["event_bus_arn"]["references"][0] == "module.event_bus.bus_arn"


def test_stage_is_throttled_and_logs_json(root_plan: Plan) -> None:
    stage = root_plan.one("module.ingest_api.aws_apigatewayv2_stage.this[0]").after
    assert stage["name"] == "$default"
    assert stage["auto_deploy"] is True
    settings = stage["default_route_settings"][0]
    assert settings["throttling_burst_limit"] == 100
    assert settings["throttling_rate_limit"] == 50
    log_format = json.loads(stage["access_log_settings"][0]["format"])
    assert log_format["requestId"] == "$context.requestId"
    assert log_format["integrationError"] == "$context.integrationErrorMessage"


def test_every_target_has_retry_policy_and_dead_letter_queue(root_plan: Plan) -> None:
    targets = root_plan.of_type("aws_cloudwatch_event_target")
    assert len(targets) == 4  # capture-order, notify, security, report delivery
    for target in targets:
        assert target.after["retry_policy"], target.address
        retry = target.after["retry_policy"][0]
        assert 0 < retry["maximum_retry_attempts"] <= 185
        assert 60 <= retry["maximum_event_age_in_seconds"] <= 86400
        assert target.after_unknown["dead_letter_config"][0]["arn"] is True, target.address
    config = root_plan.config("module.ingest_rules.aws_cloudwatch_event_target.this")
    dlq_refs = config["expressions"]["dead_letter_config"][0]["arn"]["references"]
    assert "aws_sqs_queue.dlq" in dlq_refs


def test_dead_letter_queues_accept_only_their_rule(root_plan: Plan) -> None:
    queues = root_plan.of_type("aws_sqs_queue")
    # one per target (4), per asynchronously invoked function (4), the answers and presence
    # streams', the presence sweep's schedule, and the poison queue
    assert len(queues) == 12
    for queue in queues:
        assert queue.after["sqs_managed_sse_enabled"] is True, queue.address
    doc = root_plan.config("module.ingest_rules.data.aws_iam_policy_document.dlq")
    statement = doc["expressions"]["statement"][0]
    assert statement["actions"]["constant_value"] == ["sqs:SendMessage"]
    assert statement["principals"][0]["identifiers"]["constant_value"] == ["events.amazonaws.com"]
    condition = statement["condition"][0]
    assert condition["test"]["constant_value"] == "ArnEquals"
    assert condition["variable"]["constant_value"] == "aws:SourceArn"
    assert "aws_cloudwatch_event_rule.this" in condition["values"]["references"]


def test_lambda_permissions_are_scoped_to_their_rule(root_plan: Plan) -> None:
    permissions = [
        p
        for p in root_plan.of_type("aws_lambda_permission")
        if p.address.startswith(("module.ingest_rules.", "module.async_rules."))
    ]
    assert len(permissions) == 4
    for permission in permissions:
        assert permission.after["principal"] == "events.amazonaws.com"
        assert permission.after["action"] == "lambda:InvokeFunction"
        assert permission.after_unknown["source_arn"] is True
    config = root_plan.config("module.ingest_rules.aws_lambda_permission.this")
    assert "aws_cloudwatch_event_rule.this" in config["expressions"]["source_arn"]["references"]


def test_rules_route_exactly_the_contract(root_plan: Plan) -> None:
    rules = {r.after["name"]: r.after for r in root_plan.of_type("aws_cloudwatch_event_rule")}
    expected: dict[str, EventContract[Any]] = {
        "platform-sandbox-capture-order": UPLOAD_RECEIVED,
        "platform-sandbox-notify": UPLOAD_RECEIVED,
        "platform-sandbox-security": ANSWER_SUBMITTED,
        "platform-sandbox-report-delivery": REPORT_READY,
    }
    assert set(rules) == set(expected)
    for name, contract in expected.items():
        assert json.loads(rules[name]["event_pattern"]) == contract.pattern(), name
        assert rules[name]["state"] == "ENABLED"


def test_each_flow_owns_its_rules_on_the_one_bus(root_plan: Plan) -> None:
    (bus,) = root_plan.of_type("aws_cloudwatch_event_bus")
    assert bus.address == "module.event_bus.aws_cloudwatch_event_bus.this[0]"
    owners = {
        r.after["name"]: r.address.split(".aws_", 1)[0]
        for r in root_plan.of_type("aws_cloudwatch_event_rule")
    }
    assert owners == {
        "platform-sandbox-capture-order": "module.ingest_rules",
        "platform-sandbox-notify": "module.ingest_rules",
        "platform-sandbox-security": "module.async_rules",
        "platform-sandbox-report-delivery": "module.async_rules",
    }
    for rule in root_plan.of_type("aws_cloudwatch_event_rule"):
        assert rule.after["event_bus_name"] == "platform-sandbox-events", rule.address
    for target in root_plan.of_type("aws_cloudwatch_event_target"):
        assert target.after["event_bus_name"] == "platform-sandbox-events", target.address


def test_queue_names_are_whole_and_name_the_prefix_once(root_plan: Plan) -> None:
    names = sorted(q.after["name"] for q in root_plan.of_type("aws_sqs_queue"))
    assert names == [
        "platform-sandbox-answers-stream-answers-stream-failures",
        "platform-sandbox-capture-order-async-failures",
        "platform-sandbox-capture-order-capture-order-dlq",
        "platform-sandbox-notify-async-failures",
        "platform-sandbox-notify-notify-dlq",
        "platform-sandbox-poison",
        "platform-sandbox-presence-stream-presence-stream-failures",
        "platform-sandbox-presence-sweep-dlq",
        "platform-sandbox-report-delivery-async-failures",
        "platform-sandbox-report-delivery-report-delivery-dlq",
        "platform-sandbox-security-async-failures",
        "platform-sandbox-security-security-dlq",
    ]


def test_bus_has_an_archive(root_plan: Plan) -> None:
    archive = root_plan.one("module.event_bus.aws_cloudwatch_event_archive.this[0]").after
    assert archive["retention_days"] == 7


def test_the_contracts_are_in_a_schema_registry(root_plan: Plan) -> None:
    contracts = json.loads((ROOT / "terraform" / "contracts.json").read_text())
    (registry,) = root_plan.of_type("aws_schemas_registry")
    schemas = {s.after["name"]: s.after for s in root_plan.of_type("aws_schemas_schema")}
    assert registry.after["name"].endswith("-events")
    assert set(schemas) == {f"{c['source']}@{c['detail_type']}" for c in contracts.values()}
    for contract in contracts.values():
        schema = schemas[f"{contract['source']}@{contract['detail_type']}"]
        assert schema["type"] == "JSONSchemaDraft4"
        assert schema["registry_name"] == registry.after["name"]
        assert json.loads(schema["content"]) == contract["event_schema"]


def test_no_iam_statement_has_a_wildcard_action(root_plan: Plan) -> None:
    statements = root_plan.iam_statements()
    assert len(statements) >= 10
    for address, statement in statements:
        if statement.get("effect") == "Deny" or statement.get("Effect") == "Deny":
            continue  # a deny may be broad (the web bucket's "no plain HTTP" denies s3:*)
        for action in actions_of(statement):
            if action == "kms:*" and address.startswith(
                (
                    "data.aws_iam_policy_document.kms",
                    "data.aws_iam_policy_document.alarm_key",
                    "data.aws_iam_policy_document.edge_kms",
                )
            ):
                # KMS's default key policy: the account administers its key and lets IAM
                # policies grant its use (KMS developer guide, "Default key policy").
                continue
            assert "*" not in action, f"{address}: wildcard action {action}"
    assert root_plan.of_type("aws_iam_role_policy_attachment") == [], "no managed policies"


def test_functions_are_python313_arm64_traced_with_json_logs(root_plan: Plan) -> None:
    functions = {
        f.after["function_name"]: f.after for f in root_plan.of_type("aws_lambda_function")
    }
    assert set(functions) == {
        "platform-sandbox-capture-order",
        "platform-sandbox-notify",
        "platform-sandbox-channels",
        "platform-sandbox-answers-stream",
        "platform-sandbox-security",
        "platform-sandbox-report-delivery",
        "platform-sandbox-report-history",
        "platform-sandbox-saved-answers",
        "platform-sandbox-channel-history",
        "platform-sandbox-presence",
        "platform-sandbox-presence-stream",
        "platform-sandbox-presence-sweep",
    }
    for name, fn in functions.items():
        assert fn["runtime"] == "python3.13", name
        assert fn["architectures"] == ["arm64"], name
        assert fn["tracing_config"] == [{"mode": "Active"}], name
        logging = fn["logging_config"][0]
        assert logging["log_format"] == "JSON"
        assert logging["application_log_level"] == "INFO"
        assert logging["system_log_level"] == "WARN"
        # Each holds a value AWS gives at apply (the poison queue's URL, the Event API's URL,
        # the web app's origin, the user pool's issuer), but for the sweep's (its table's
        # name and page size): tests/local/test_plan_ties.py checks the resolved environments
        # against each handler's Settings.
        variables = fn["environment"][0].get("variables")
        if name == "platform-sandbox-presence-sweep":
            assert variables["PRESENCE_TABLE_NAME"] == "platform-sandbox-presence"
        else:
            assert variables is None, name


def test_function_errors_end_in_a_failure_queue(root_plan: Plan) -> None:
    configs = {
        c.after["function_name"]: c
        for c in root_plan.of_type("aws_lambda_function_event_invoke_config")
    }
    for name in (
        "platform-sandbox-capture-order",
        "platform-sandbox-notify",
        "platform-sandbox-security",
        "platform-sandbox-report-delivery",
    ):
        config = configs.pop(name)
        assert config.after["maximum_retry_attempts"] == 2
        assert config.after_unknown["destination_config"][0]["on_failure"][0]["destination"]
    # AppSync invokes the channel handler synchronously, and the stream poller the answers
    # stream function, API Gateway the history: nothing asynchronous to retry (the mapping
    # has its own queue).
    for name in (
        "platform-sandbox-channels",
        "platform-sandbox-answers-stream",
        "platform-sandbox-report-history",
        "platform-sandbox-saved-answers",
        "platform-sandbox-channel-history",
        "platform-sandbox-presence",
        "platform-sandbox-presence-stream",
        # The schedule invokes the sweep; a failed run is not retried, the next one sweeps.
        "platform-sandbox-presence-sweep",
    ):
        assert configs.pop(name).after["maximum_retry_attempts"] == 0
    assert configs == {}


def test_every_log_group_has_retention(root_plan: Plan) -> None:
    groups = {
        g.address: g.after["retention_in_days"]
        for g in root_plan.of_type("aws_cloudwatch_log_group")
    }
    assert groups.pop("module.realtime_waf.aws_cloudwatch_log_group.this[0]") == 365  # security
    assert groups.pop("module.edge_waf.aws_cloudwatch_log_group.this[0]") == 365
    assert len(groups) == 14  # twelve functions, the HTTP API's access log, the Event API
    for address, retention in groups.items():
        assert retention == 30, address


def test_orders_table_is_encrypted_with_recovery(root_plan: Plan) -> None:
    table = root_plan.one("module.orders_table.aws_dynamodb_table.this[0]").after
    assert table["server_side_encryption"][0]["enabled"] is True
    assert table["point_in_time_recovery"][0]["enabled"] is True
    assert table["hash_key"] == "pk"


def test_outputs_a_client_needs(root_plan: Plan) -> None:
    outputs = root_plan.raw["planned_values"]["outputs"]
    assert {
        "upload_url",
        "event_bus_name",
        "event_bus_arn",
        "orders_table_name",
        "dead_letter_queue_urls",
    } <= set(outputs)
    assert outputs["event_bus_name"]["value"] == "platform-sandbox-events"


def test_environment_files_plan_their_settings(root: TerraformDir, lambda_zip: object) -> None:
    # prod.tfvars deploys for real; here it is planned offline to check its values apply.
    plan = root.plan(
        {
            "lambda_zip": str(lambda_zip),
            "offline_plan": True,
            "environment": "prod",
            "orders_table_deletion_protection": True,
            "ingest_throttling": {"rate_limit": 200, "burst_limit": 400},
        }
    )
    stage = plan.one("module.ingest_api.aws_apigatewayv2_stage.this[0]").after
    assert stage["default_route_settings"][0]["throttling_rate_limit"] == 200
    table = plan.one("module.orders_table.aws_dynamodb_table.this[0]").after
    assert table["deletion_protection_enabled"] is True


def test_every_function_has_reserved_concurrency_and_chat_cannot_take_it_all(
    root_plan: Plan,
) -> None:
    reserved = {
        f.after["function_name"]: f.after["reserved_concurrent_executions"]
        for f in root_plan.of_type("aws_lambda_function")
    }
    assert len(reserved) == 12, reserved
    assert all(n >= 1 for n in reserved.values()), reserved
    assert reserved["platform-sandbox-channels"] == 100
    # Lambda keeps 100 of an account's default 1,000 unreserved.
    assert sum(reserved.values()) <= 900
    others = sum(n for name, n in reserved.items() if name != "platform-sandbox-channels")
    assert others >= reserved["platform-sandbox-channels"]


def test_every_put_events_grant_is_bound_to_its_producers_contract(root_plan: Plan) -> None:
    contracts: dict[str, EventContract[Any]] = {
        "module.ingest_api.": UPLOAD_RECEIVED,
        "module.answers_stream.": ANSWER_SUBMITTED,
        "module.security.": REPORT_READY,
    }
    grants: dict[str, dict[str, list[str]]] = {}
    for addr, st in root_plan.iam_statements():
        if "events:PutEvents" not in actions_of(st) or st.get("config"):
            continue
        conditions = {c["variable"]: c["values"] for c in st.get("condition") or []}
        assert all(c["test"] == "StringEquals" for c in st["condition"]), addr
        grants[addr.split(".data.")[0] + "."] = conditions
    assert grants == {
        prefix: {"events:source": [c.source], "events:detail-type": [c.detail_type]}
        for prefix, c in contracts.items()
    }


def test_no_statement_grants_every_resource_but_for_actions_without_resources(
    root_plan: Plan,
) -> None:
    without_resources = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
    # In a key policy "*" is the only resource KMS takes, and it means the key itself.
    key_policies = (
        "data.aws_iam_policy_document.kms",
        "data.aws_iam_policy_document.alarm_key",
        "data.aws_iam_policy_document.edge_kms",
    )
    for addr, st in root_plan.iam_statements():
        if addr.startswith(key_policies):
            continue
        resources = st.get("resources", st.get("Resource")) or []
        resources = [resources] if isinstance(resources, str) else resources
        if "*" in resources and st.get("effect", st.get("Effect")) != "Deny":
            assert set(actions_of(st)) <= without_resources, (addr, st)


def test_api_gateway_assumes_the_integration_role_for_this_account_only(
    root_plan: Plan,
) -> None:
    trusts = [
        (addr, st)
        for addr, st in root_plan.iam_statements()
        if addr.startswith("module.ingest_api.")
        and "sts:AssumeRole" in actions_of(st)
        and "config" not in st
    ]
    assert trusts
    for addr, trust in trusts:
        variables = {c["variable"]: c for c in trust["condition"]}
        assert set(variables) == {"aws:SourceAccount", "aws:SourceArn"}, addr
        assert variables["aws:SourceArn"]["test"] == "ArnLike"


def test_prod_protects_every_table_of_people_or_orders_and_the_user_pool(
    root: TerraformDir, lambda_zip: object, root_plan: Plan
) -> None:
    protected = {
        "platform-prod-orders",
        "platform-prod-answers",
        "platform-prod-assessments",
        "platform-prod-reports",
        "platform-prod-channel-history",
    }
    plan = root.plan({"lambda_zip": str(lambda_zip), "environment": "prod"})
    tables = {t.after["name"]: t.after for t in plan.of_type("aws_dynamodb_table")}
    assert {n for n, t in tables.items() if t["deletion_protection_enabled"]} == protected
    # Every table can be restored to a point in time.
    assert all(t["point_in_time_recovery"][0]["enabled"] for t in tables.values()), tables
    pool = plan.one("module.users.aws_cognito_user_pool.this[0]").after
    assert pool["deletion_protection"] == "ACTIVE"
    sandbox = root_plan.of_type("aws_dynamodb_table")
    assert not any(t.after["deletion_protection_enabled"] for t in sandbox)


# The platform's key given and code signing on: independent inputs, planned once for the two
# tests below (a root plan takes ~10 s here).
KEY_AND_SIGNING = {"kms": {"key_arn": KEY}, "code_signing": {"enabled": True}}


def test_code_signing_checks_every_function_when_enabled(
    root: TerraformDir, lambda_zip: object
) -> None:
    plan = root.plan({"lambda_zip": str(lambda_zip), **KEY_AND_SIGNING})
    profile = plan.one("aws_signer_signing_profile.lambda[0]").after
    assert profile["platform_id"] == "AWSLambda-SHA384-ECDSA"
    config = plan.one("aws_lambda_code_signing_config.this[0]").after
    assert config["policies"] == [{"untrusted_artifact_on_deployment": "Warn"}]
    functions = plan.of_type("aws_lambda_function")
    assert len(functions) == 12
    assert all(f.after_unknown.get("code_signing_config_arn") is True for f in functions)


def test_one_key_encrypts_every_table_queue_log_group_bus_and_environment(
    root: TerraformDir, lambda_zip: object
) -> None:
    plan = root.plan({"lambda_zip": str(lambda_zip), **KEY_AND_SIGNING})
    tables = plan.of_type("aws_dynamodb_table")
    queues = plan.of_type("aws_sqs_queue")
    log_groups = plan.of_type("aws_cloudwatch_log_group")
    functions = plan.of_type("aws_lambda_function")
    assert len(tables) == 8
    assert len(queues) >= 9
    assert len(functions) == 12
    # + HTTP API access, Event API, the Event API's WAF; the edge's WAF log group is in
    # us-east-1, where a regional key cannot serve: CloudWatch's own encryption there.
    edge = "module.edge_waf.aws_cloudwatch_log_group.this[0]"
    assert plan.one(edge).after["kms_key_id"] is None
    log_groups = [g for g in log_groups if g.address != edge]
    assert len(log_groups) == len(functions) + 3
    for table in tables:
        assert table.after["server_side_encryption"] == [{"enabled": True, "kms_key_arn": KEY}]
    for queue in queues:
        assert queue.after["kms_master_key_id"] == KEY, queue.address
    for group in log_groups:
        assert group.after["kms_key_id"] == KEY, group.address
    for fn in functions:
        assert fn.after["kms_key_arn"] == KEY, fn.address
    bus = plan.one("module.event_bus.aws_cloudwatch_event_bus.this[0]").after
    assert bus["kms_key_identifier"] == KEY
    # Each function that keeps data may use the key through DynamoDB only, and each that
    # sends to the (encrypted) poison queue through SQS only.
    uses = {
        addr.split(".")[1]
        for addr, st in plan.iam_statements()
        if st.get("sid") == "UseTableKey" and "config" not in st
    }
    assert uses == {
        "capture_order",
        "notify",  # its idempotency table
        "channels",
        "answers_stream",
        "security",
        "report_delivery",
        "report_history",
        "saved_answers",
        "channel_history",
        "presence",
        "presence_sweep",
    }
    poison_key = [
        (addr.split(".")[1], st)
        for addr, st in plan.iam_statements()
        if st.get("sid") == "UsePoisonQueueKey" and "config" not in st
    ]
    assert {name for name, _ in poison_key} == {
        "capture_order",
        "notify",
        "answers_stream",
        "security",
        "report_delivery",
    }
    for _, statement in poison_key:
        (condition,) = statement["condition"]
        assert condition["values"] == ["sqs.eu-west-1.amazonaws.com"]
    policy = json.loads(plan.raw["planned_values"]["outputs"]["kms_key_policy"]["value"])
    sids = {s["Sid"]: s for s in policy["Statement"]}
    assert set(sids) == {
        "AccountAdministersTheKey",
        "CloudWatchLogsEncryptsThePlatformsLogGroups",
        "EventBridgeUsesTheKeyForThisAccount",
        "CloudWatchAlarmsPublishToTheEncryptedTopic",
    }
    assert sids["EventBridgeUsesTheKeyForThisAccount"]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"}
    }


def test_a_key_made_here_is_rotated_and_carries_the_platforms_policy(
    root: TerraformDir, lambda_zip: object, root_plan: Plan
) -> None:
    plan = root.plan({"lambda_zip": str(lambda_zip), **KEY_MADE_AND_WEBHOOK})
    key = plan.one("aws_kms_key.this[0]").after
    assert key["enable_key_rotation"] is True
    assert key["deletion_window_in_days"] == 30
    assert plan.one("aws_kms_alias.this[0]").after["name"] == "alias/platform-sandbox"
    config = plan.config("aws_kms_key_policy.this")
    assert (
        "data.aws_iam_policy_document.kms_alarms[0].json"
        in (config["expressions"]["policy"]["references"])
    )
    # Without a platform key: AWS managed keys, and only the alarm topic's own key (CloudWatch
    # cannot publish under aws/sns); with one, that key serves the topic too.
    assert [k.address for k in root_plan.of_type("aws_kms_key")] == ["aws_kms_key.alarms[0]"]
    # ... and the edge web ACL's log group, in us-east-1, a key of its own there.
    assert [k.address for k in plan.of_type("aws_kms_key")] == [
        "aws_kms_key.edge[0]",
        "aws_kms_key.this[0]",
    ]
    for table in root_plan.of_type("aws_dynamodb_table"):
        assert table.after["server_side_encryption"][0].get("kms_key_arn") in (None, "")


def test_the_webhook_key_decrypts_only_through_its_store(
    root: TerraformDir, lambda_zip: object
) -> None:
    plan = root.plan({"lambda_zip": str(lambda_zip), **KEY_MADE_AND_WEBHOOK})
    (decrypt,) = [
        st
        for addr, st in plan.iam_statements()
        if addr.startswith("module.notify.") and st.get("sid") == "DecryptWebhookUrl"
    ]
    assert decrypt["actions"] == ["kms:Decrypt"]
    assert decrypt["resources"] == [KEY]
    assert decrypt["condition"] == [
        {
            "test": "StringEquals",
            "variable": "kms:ViaService",
            "values": ["ssm.eu-west-1.amazonaws.com"],
        }
    ]


def test_a_plain_plan_is_real_and_make_plan_is_offline(root_plan: Plan) -> None:
    variables = root_plan.raw["configuration"]["root_module"]["variables"]
    assert variables["offline_plan"]["default"] is False
    offline = (ROOT / "terraform" / "environments" / "offline.tfvars").read_text()
    assert "offline_plan = true" in offline
    makefile = (ROOT / "Makefile").read_text()
    assert "-var-file=environments/$(if $(ENV),$(ENV),offline).tfvars" in makefile
