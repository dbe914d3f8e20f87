"""The web ACL the plan puts in front of the web app, applied locally (local_runtime.wafv2):
the rules as Terraform plans them (the plan fixture), each case from the AWS WAF developer
guide's description of the statement."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from local_runtime.plan.changes import Plan
from local_runtime.plan.fixture import load
from local_runtime.wafv2.acl import WafRequest, WebAcl

ROOT = Path(__file__).resolve().parents[3]
FIXTURE = ROOT / "tests" / "unit" / "runtime" / "fixtures" / "local-plan.json"


@pytest.fixture(scope="module")
def planned() -> dict[str, Any]:
    """The edge web ACL as the plan of environments/local.tfvars has it."""
    plan = Plan(load(FIXTURE, ROOT))
    (acl,) = [
        c.after
        for c in plan.changes({})
        if c.type == "aws_wafv2_web_acl" and c.after.get("scope") == "CLOUDFRONT"
    ]
    return acl


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def request(
    token: str | None = "token-a",  # noqa: S107 - a caller's token, as WAF sees it
    body: bytes = b'{"orderId": "o-1"}',
    method: str = "POST",
    path: str = "/uploads",
    ip: str = "127.0.0.1",
) -> WafRequest:
    headers = {"content-type": "application/json"}
    if token is not None:
        headers["authorization"] = token
    return WafRequest(ip=ip, method=method, path=path, headers=headers, body=body)


def with_limit(planned: dict[str, Any], limit: int) -> dict[str, Any]:
    acl = copy.deepcopy(planned)
    for rule in acl["rule"]:
        if rule["name"] == "rate-limit-uploads-per-caller":
            rule["statement"][0]["rate_based_statement"][0]["limit"] = limit
    return acl


def test_the_planned_rules_are_applied_but_for_aws_managed_groups(planned: dict[str, Any]) -> None:
    acl = WebAcl("edge", planned)
    assert [r.name for r in acl.rules] == [
        "rate-limit-per-ip",
        "rate-limit-uploads-per-caller",
        "json-object-body-0",
    ]
    assert set(acl.not_applied) == {
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
    }
    assert all("managed rule group" in why for why in acl.not_applied.values())


def test_each_caller_token_has_its_own_bucket(planned: dict[str, Any]) -> None:
    clock = Clock()
    acl = WebAcl("edge", with_limit(planned, 10), clock=clock)
    # Over the limit in the window: the 11th request of one token is blocked...
    verdicts = [acl.decide(request("token-a")).action for _ in range(11)]
    assert verdicts == ["allow"] * 10 + ["block"]
    assert acl.decide(request("token-a")).rule == "rate-limit-uploads-per-caller"
    # ... another caller's token is not, from the same IP.
    assert acl.decide(request("token-b")).action == "allow"
    # A request without the key is not counted by the rule (the per-IP limit still applies).
    assert acl.decide(request(None)).action == "allow"
    # The rule is scoped to /uploads: the same token elsewhere is not limited by it.
    assert acl.decide(request("token-a", method="GET", path="/index.html")).action == "allow"
    # Once the window has passed, the token's rate has dropped: allowed again.
    clock.now += 300
    assert acl.decide(request("token-a")).action == "allow"


def test_the_per_ip_limit_counts_every_request_of_an_address(planned: dict[str, Any]) -> None:
    acl = copy.deepcopy(planned)
    for rule in acl["rule"]:
        if rule["name"] == "rate-limit-per-ip":
            rule["statement"][0]["rate_based_statement"][0]["limit"] = 10
    web_acl = WebAcl("edge", acl, clock=Clock())
    paths = [f"/assets/{n}.js" for n in range(11)]
    verdicts = [web_acl.decide(request(None, b"", "GET", p)).action for p in paths]
    assert verdicts == ["allow"] * 10 + ["block"]
    assert web_acl.decide(request(None, b"", "GET", "/", ip="192.0.2.7")).action == "allow"


@pytest.mark.parametrize(
    ("body", "action"),
    [
        (b'{"orderId": "o-1"}', "allow"),
        (b' \n\t{"orderId": "o-1"}', "allow"),  # JSON allows white space first
        (b"[]", "block"),
        (b'"a string"', "block"),
        (b"42", "block"),
        (b"null", "block"),
        (b"", "block"),
        (b"not json", "block"),
    ],
)
def test_an_upload_that_is_not_a_json_object_is_blocked(
    planned: dict[str, Any], body: bytes, action: str
) -> None:
    verdict = WebAcl("edge", planned, clock=Clock()).decide(request(body=body))
    assert verdict.action == action
    if action == "block":
        assert verdict.rule == "json-object-body-0"


def test_the_body_rule_is_for_post_uploads_only(planned: dict[str, Any]) -> None:
    acl = WebAcl("edge", planned, clock=Clock())
    assert acl.decide(request(body=b"[]", path="/uploads/x")).action == "allow"  # EXACTLY
    assert acl.decide(request(body=b"[]", method="PUT")).action == "allow"


def test_only_the_first_16_kb_of_a_body_are_read(planned: dict[str, Any]) -> None:
    """CloudFront forwards the first 16 KB of a body to WAF; oversize handling CONTINUE
    inspects those: a big JSON object is still an object."""
    big = b'{"items": [' + b'"x",' * 10_000 + b'"y"]}'
    assert len(big) > 16 * 1024
    assert WebAcl("edge", planned, clock=Clock()).decide(request(body=big)).action == "allow"


def test_count_goes_on_and_allow_ends_the_evaluation(planned: dict[str, Any]) -> None:
    acl = copy.deepcopy(planned)
    for rule in acl["rule"]:
        if rule["name"] == "json-object-body-0":
            rule["action"] = [
                {"allow": [], "block": [], "captcha": [], "challenge": [], "count": [{}]}
            ]
    counted = WebAcl("edge", acl, clock=Clock())
    assert counted.decide(request(body=b"[]")).action == "allow"  # counted, then default
    assert counted.decide(request(body=b"[]")).rule is None
