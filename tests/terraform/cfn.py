"""cfn-lint on a CloudFormation template taken from a plan: every finding is a failure."""

from __future__ import annotations

import json
from typing import Any

from cfnlint.api import ManualArgs, lint


def cfn_lint(template: str | dict[str, Any], region: str = "eu-west-1") -> list[str]:
    """Every cfn-lint finding (errors, warnings and informational) as ``RULE path: message``."""
    body = template if isinstance(template, str) else json.dumps(template)
    matches = lint(body, config=ManualArgs(regions=[region]))
    return [f"{m.rule.id} {'/'.join(map(str, m.path))}: {m.message}" for m in matches]
