"""cfn-lint on a CloudFormation template taken from a plan: every finding is a failure."""

from __future__ import annotations

import json
from typing import Any

from cfnlint.api import ManualArgs, lint  # type: ignore[import-untyped]  # no py.typed

from tests.terraform.tfplan import Plan


def cfn_lint(template: str | dict[str, Any], region: str = "eu-west-1") -> list[str]:
    """Every cfn-lint finding (errors, warnings and informational) as ``RULE path: message``."""
    body = template if isinstance(template, str) else json.dumps(template)
    matches = lint(body, config=ManualArgs(regions=[region]))
    return [f"{m.rule.id} {'/'.join(map(str, m.path))}: {m.message}" for m in matches]


def template_of(plan: Plan, stack_address: str) -> dict[str, Any]:
    """The planned template of a stack; it must be known at plan time to be linted."""
    stack = plan.one(stack_address)
    assert "template_body" not in stack.after_unknown, "template_body must be known at plan"
    template: dict[str, Any] = json.loads(stack.after["template_body"])
    return template
