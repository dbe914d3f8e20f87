"""Inputs the root refuses, each with a message that says what to change.

Terraform checks every variable of a plan and reports every invalid one at once, so the
cases share plans: a group sets each variable at most once (a refused plan takes about 5 s
here; one per case took 13). A case passes when the group's errors hold its message in the
error about its own variable, so a validation that stopped refusing fails its case alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.terraform.tfplan import TerraformDir

pytestmark = pytest.mark.terraform


@dataclass(frozen=True)
class Refusal:
    name: str
    tf_vars: dict[str, Any]
    message: str


REGIONAL_ACL = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/mine/0123abcd"

REFUSALS = [
    # terraform/variables.tf: names, secrets, identities
    Refusal(
        "url-in-variable",
        {"notify_webhook": {"store": "ssm", "name": "https://hooks.example.com/x"}},
        "notify_webhook.name must be an SSM parameter path",
    ),
    Refusal(
        "unknown-store",
        {"notify_webhook": {"store": "vault", "name": "/x"}},
        "notify_webhook.store must be",
    ),
    Refusal("bad-environment", {"environment": "Prod_1"}, "environment must be 2-12 lowercase"),
    Refusal(
        "prefix-too-long",
        {"project": "abcdefghijklmnopqrst", "environment": "abcdefghijkl"},
        "project and environment together make the prefix of every name",
    ),
    Refusal(
        "user-pool-id",
        {"realtime_auth": {"identity_pool_ids": ["eu-west-1_AbCdEfGhI"]}},
        "realtime_auth.identity_pool_ids must be Cognito identity pool ids",
    ),
    Refusal(
        "ingest-without-authoriser",
        {"users": {"create": False}},
        "POST /uploads needs an authoriser: keep users.create = true",
    ),
    Refusal(
        "reserved-concurrency-zero",
        {"reserved_concurrency": {"notify": 0}},
        "reserved_concurrency values must be null (unreserved) or at least 1",
    ),
    Refusal(
        "code-signing-enforce",
        {"code_signing": {"enabled": True, "untrusted_artifact_on_deployment": "Enforce"}},
        'code_signing.untrusted_artifact_on_deployment must be "Warn"',
    ),
    # terraform/edge.tf
    Refusal("regional-web-acl", {"web": {"web_acl_arn": REGIONAL_ACL}}, "CLOUDFRONT-scope web ACL"),
    # terraform/history.tf
    Refusal(
        "durable-answers",
        {"realtime_history": {"answers": {"ttl_days": 7}}},
        "realtime_history keys must be chat or reports",
    ),
    # terraform/presence.tf
    Refusal(
        "presence-of-reports",
        {"realtime_presence": {"reports": {}}},
        "realtime_presence keys must be chat or answers",
    ),
    Refusal(
        "heartbeat-too-short",
        {"realtime_presence": {"chat": {"heartbeat_seconds": 2}}},
        "from 5 to 3600",
    ),
    Refusal(
        "sweep-schedule",
        {"presence_sweep": {"schedule": "rate(1 minutes)"}},
        "rate(1 minute|hour|day)",
    ),
    Refusal(
        "presence-channel-private",
        {"web": {"presence_channel": "/answers/u-1"}},
        "must be a chat channel everyone",
    ),
]


def groups(refusals: list[Refusal]) -> list[list[Refusal]]:
    """Cases in plans that set each variable once, in order (first group that has room)."""
    placed: list[list[Refusal]] = []
    for refusal in refusals:
        for group in placed:
            if not any(refusal.tf_vars.keys() & other.tf_vars.keys() for other in group):
                group.append(refusal)
                break
        else:
            placed.append([refusal])
    return placed


@pytest.fixture(scope="module")
def refused(root: TerraformDir, lambda_zip: Any) -> dict[str, list[str]]:
    """Each case's name -> the errors of the plan it shares."""
    errors: dict[str, list[str]] = {}
    for group in groups(REFUSALS):
        tf_vars: dict[str, Any] = {"lambda_zip": str(lambda_zip)}
        for refusal in group:
            tf_vars.update(refusal.tf_vars)
        found = root.plan_errors(tf_vars)
        for refusal in group:
            errors[refusal.name] = found
    return errors


def test_each_message_is_its_own() -> None:
    # One case's message found in another case's error would let a lost validation pass.
    for case in REFUSALS:
        others = [o.name for o in REFUSALS if o is not case and case.message in o.message]
        assert not others, (case.name, others)
    assert len(groups(REFUSALS)) < len(REFUSALS)


@pytest.mark.parametrize("case", REFUSALS, ids=[r.name for r in REFUSALS])
def test_refused_with_a_message_about_its_own_variable(
    refused: dict[str, list[str]], case: Refusal
) -> None:
    errors = refused[case.name]
    (error,) = [e for e in errors if case.message in e] or [f"no error says {case.message!r}"]
    assert case.message in error, errors
    # Terraform names the refused variable in its error (`var.<name>` on the value's line).
    assert any(f"var.{name}" in error for name in case.tf_vars), error
