"""Plan tests of the web app's hosting, its users and its history route (terraform/web.tf)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.terraform.tfplan import PARTS_LEFT_OUT, Plan, TerraformDir

pytestmark = pytest.mark.terraform


def module_refs(plan: Plan, module: str, argument: str) -> list[str]:
    call = plan.raw["configuration"]["root_module"]["module_calls"][module]
    refs: list[str] = call["expressions"][argument]["references"]
    return refs


def test_every_built_file_is_uploaded_with_its_type_and_hash(root_plan: Plan) -> None:
    files = {r.after["key"]: r.after for r in root_plan.of_type("aws_s3_object")}
    assert set(files) == {
        "index.html",
        "assets/app-0a1b2c3d.js",
        "assets/app-4e5f6a7b.css",
        "config.json",
    }
    assert files["index.html"]["content_type"] == "text/html; charset=utf-8"
    assert files["index.html"]["cache_control"] == "no-cache"
    assert files["assets/app-0a1b2c3d.js"]["content_type"] == "text/javascript; charset=utf-8"
    assert files["assets/app-0a1b2c3d.js"]["cache_control"].endswith("immutable")
    assert files["assets/app-4e5f6a7b.css"]["content_type"] == "text/css; charset=utf-8"
    assert all(len(f["source_hash"]) == 32 for k, f in files.items() if k != "config.json")
    assert files["config.json"]["cache_control"] == "no-cache"


def test_config_json_is_written_from_the_real_outputs(root_plan: Plan) -> None:
    refs = module_refs(root_plan, "web", "config")
    for ref in (
        "module.users.user_pool_id",
        "module.users.client_id",
        "module.realtime.publish_url",
        "module.ingest_api.api_endpoint",
        "var.region",
        "local.channel_history",  # historyUrl, null without history
        "local.web_presence",  # presenceUrl and presenceChannel, null without chat presence
        "var.web.presence_channel",
    ):
        assert ref in refs


def test_bucket_is_private_and_tls_only(root_plan: Plan) -> None:
    block = root_plan.one("module.web.aws_s3_bucket_public_access_block.this[0]").after
    assert all(
        block[k]
        for k in (
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        )
    )
    policy = root_plan.config("module.web.data.aws_iam_policy_document.bucket")
    statements = policy["expressions"]["statement"]
    by_sid = {s["sid"]["constant_value"]: s for s in statements}
    read = by_sid["CloudFrontReadsThroughOriginAccessControl"]
    assert read["actions"]["constant_value"] == ["s3:GetObject"]
    assert read["principals"][0]["identifiers"]["constant_value"] == ["cloudfront.amazonaws.com"]
    assert read["condition"][0]["variable"]["constant_value"] == "AWS:SourceArn"
    assert "aws_cloudfront_distribution.this[0].arn" in read["condition"][0]["values"]["references"]
    deny = by_sid["DenyPlainHttp"]
    assert deny["effect"]["constant_value"] == "Deny"
    assert deny["condition"][0]["variable"]["constant_value"] == "aws:SecureTransport"
    assert deny["condition"][0]["values"]["constant_value"] == ["false"]
    versioning = root_plan.one("module.web.aws_s3_bucket_versioning.this[0]").after
    assert versioning["versioning_configuration"][0]["status"] == "Enabled"
    sse = root_plan.one("module.web.aws_s3_bucket_server_side_encryption_configuration.this[0]")
    rule = sse.after["rule"][0]["apply_server_side_encryption_by_default"][0]
    assert rule["sse_algorithm"] == "AES256"


def test_cloudfront_reads_through_origin_access_control_over_https(root_plan: Plan) -> None:
    oac = root_plan.one("module.web.aws_cloudfront_origin_access_control.this[0]").after
    assert (oac["origin_access_control_origin_type"], oac["signing_behavior"]) == ("s3", "always")
    assert oac["signing_protocol"] == "sigv4"
    dist = root_plan.one("module.web.aws_cloudfront_distribution.this[0]")
    assert dist.after["default_root_object"] == "index.html"
    config = root_plan.config("module.web.aws_cloudfront_distribution.this")
    assert (
        "aws_cloudfront_origin_access_control.this[0].id"
        in (config["expressions"]["origin"][0]["origin_access_control_id"]["references"])
    )
    behaviors = [dist.after["default_cache_behavior"][0], *dist.after["ordered_cache_behavior"]]
    site = [b for b in behaviors if b["target_origin_id"] == "site"]
    api = [b for b in behaviors if b["target_origin_id"] == "api"]
    assert {b["viewer_protocol_policy"] for b in site} == {"redirect-to-https"}
    # The API's paths refuse plain HTTP: a redirect would turn a POST into a GET.
    assert [(b["path_pattern"], b["viewer_protocol_policy"]) for b in api] == [
        ("/uploads", "https-only")
    ]
    # SPA fallback: deep links get the app.
    errors = {e["error_code"]: e for e in dist.after["custom_error_response"]}
    assert {c: (e["response_code"], e["response_page_path"]) for c, e in errors.items()} == {
        403: (200, "/index.html"),
        404: (200, "/index.html"),
    }


def test_csp_names_the_platforms_endpoints(root_plan: Plan) -> None:
    refs = module_refs(root_plan, "web", "connect_sources")
    for ref in (
        "module.ingest_api.api_endpoint",
        "module.realtime.http_dns",
        "module.realtime.realtime_dns",
        "var.region",
    ):
        assert ref in refs
    headers = root_plan.one("module.web.aws_cloudfront_response_headers_policy.this[0]").after
    security = headers["security_headers_config"][0]
    assert security["strict_transport_security"][0]["access_control_max_age_sec"] >= 31536000
    assert security["frame_options"][0]["frame_option"] == "DENY"
    assert security["content_type_options"][0]["override"] is True


def test_csp_of_the_module_is_exactly_its_sources(example: Callable[[str], TerraformDir]) -> None:
    plan = example("static-site").plan()
    policy = plan.one("module.site.aws_cloudfront_response_headers_policy.this[0]").after
    csp = policy["security_headers_config"][0]["content_security_policy"][0]
    directives = dict(d.split(" ", 1) for d in csp["content_security_policy"].split("; "))
    assert directives["connect-src"] == "'self' https://api.example.com wss://realtime.example.com"
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert not [r for r in plan.resources if r.address.startswith("module.disabled.")]
    config = json.loads(plan.one("module.site.aws_s3_object.config[0]").after["content"])
    assert config == {"region": "eu-west-1", "apiUrl": "https://api.example.com"}


def test_history_route_is_behind_the_user_pool(root_plan: Plan) -> None:
    routes = {r.after["route_key"]: r.after for r in root_plan.of_type("aws_apigatewayv2_route")}
    assert routes["GET /reports"]["authorization_type"] == "JWT"
    assert routes["OPTIONS /reports"]["authorization_type"] == "NONE"  # CORS preflight only
    authorizer = root_plan.one(
        'module.ingest_api.aws_apigatewayv2_authorizer.lambda_route["GET /reports"]'
    )
    assert authorizer.after["authorizer_type"] == "JWT"
    assert authorizer.after["identity_sources"] == ["$request.header.Authorization"]
    lambda_routes = module_refs(root_plan, "ingest_api", "lambda_routes")
    assert "module.users.issuer" in lambda_routes
    assert "module.users.client_id" in lambda_routes
    integration = root_plan.one(
        'module.ingest_api.aws_apigatewayv2_integration.lambda_route["GET /reports"]'
    ).after
    assert integration["payload_format_version"] == "2.0"


def test_api_gateway_may_invoke_the_history_functions_for_their_routes_only(
    root_plan: Plan,
) -> None:
    permissions = [
        p
        for p in root_plan.of_type("aws_lambda_permission")
        if p.address.startswith("module.ingest_api.")
    ]
    assert {p.after["principal"] for p in permissions} == {"apigateway.amazonaws.com"}
    assert sorted(p.after["function_name"] for p in permissions) == [
        "platform-sandbox-channel-history",
        "platform-sandbox-presence",  # GET and POST /presence/{proxy+}, one grant each
        "platform-sandbox-presence",
        "platform-sandbox-report-history",
        "platform-sandbox-saved-answers",
    ]
    config = root_plan.config("module.ingest_api.aws_lambda_permission.lambda_route")
    source = config["expressions"]["source_arn"]["references"]
    assert "aws_apigatewayv2_api.this[0].execution_arn" in source


def test_history_function_may_only_query_the_reports_table(root_plan: Plan) -> None:
    doc = root_plan.one("module.report_history.data.aws_iam_policy_document.this[0]").after
    assert [(s["sid"], s["actions"]) for s in doc["statement"]] == [
        ("ReadOwnReports", ["dynamodb:Query"])
    ]
    refs = module_refs(root_plan, "report_history", "policy_statements")
    assert "module.reports_table.arn" in refs
    # The environment holds the web app's origin (known after apply only).
    env_refs = module_refs(root_plan, "report_history", "environment_variables")
    assert "module.reports_table.name" in env_refs
    assert "module.web.origin" in env_refs


def test_saved_answers_function_may_only_query_the_answers_table(root_plan: Plan) -> None:
    doc = root_plan.one("module.saved_answers.data.aws_iam_policy_document.this[0]").after
    assert [(s["sid"], s["actions"]) for s in doc["statement"]] == [
        ("ReadOwnAnswers", ["dynamodb:Query"])
    ]
    assert "module.answers_table.arn" in module_refs(
        root_plan, "saved_answers", "policy_statements"
    )
    env_refs = module_refs(root_plan, "saved_answers", "environment_variables")
    assert "module.answers_table.name" in env_refs
    assert "module.web.origin" in env_refs
    routes = {r.after["route_key"]: r for r in root_plan.of_type("aws_apigatewayv2_route")}
    assert routes["GET /answers"].after["authorization_type"] == "JWT"
    assert routes["OPTIONS /answers"].after["authorization_type"] == "NONE"  # the preflight


def test_web_app_and_history_route_can_be_left_out(root: TerraformDir, lambda_zip: Any) -> None:
    plan = root.plan({"lambda_zip": str(lambda_zip), **PARTS_LEFT_OUT})
    assert not [r for r in plan.resources if r.address.startswith("module.web.")]
    routes = {r.after["route_key"] for r in plan.of_type("aws_apigatewayv2_route")}
    assert "GET /reports" in routes  # the history API stays for other clients
