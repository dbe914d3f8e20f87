"""Identity-based policies, decided as AWS decides them.

IAM User Guide, "Policy evaluation logic" (within one account, identity-based policies only):
an explicit ``Deny`` in any statement that applies wins; otherwise an ``Allow`` that applies
allows; otherwise the request is implicitly denied. A statement applies when its ``Action``
(or ``NotAction``), its ``Resource`` (or ``NotResource``) and every condition hold.

- Actions compare without case (``service:Action``, "IAM JSON policy elements: Action"), with
  ``*`` and ``?``; resources with case, with ``*`` and ``?`` ("IAM JSON policy elements:
  Resource"), ``*`` alone matching every resource.
- A request whose resource the runtime cannot tell (``resource=None``, see ``requests``) is
  denied only where AWS would deny it whatever the resource: no statement can allow its
  action, or a ``Deny`` on ``"*"`` applies. It is never denied by a guess.
- Policy variables (``${aws:username}``) are refused when read, as are ``Principal`` elements
  (they belong to resource policies, which the runtime does not evaluate).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from local_runtime.iam.conditions import Condition, ConditionError, parse_block


class PolicyError(ValueError):
    """A policy the runtime will not evaluate, with the reason."""


def _pattern(text: str, *, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _strings(value: Any, element: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) for item in items):
        raise PolicyError(f"{element} must be a string or a list of strings")
    return items


@dataclass(frozen=True)
class Authorization:
    """What one request asks: an action (``service:Operation``), on a resource (an ARN, ``*``
    for actions without one, or None when the runtime cannot tell), with its context keys
    (lower-case names, each with its values)."""

    action: str
    resource: str | None
    context: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Statement:
    sid: str
    effect: str
    actions: list[re.Pattern[str]]
    not_action: bool
    resources: list[re.Pattern[str]]
    any_resource: bool  # "Resource": "*" (or a NotResource that leaves out nothing certain)
    not_resource: bool
    conditions: list[Condition]

    @classmethod
    def read(cls, raw: Any, where: str) -> Statement:
        if not isinstance(raw, dict):
            raise PolicyError(f"{where}: a statement must be an object")
        sid = str(raw.get("Sid") or where)
        for element in ("Principal", "NotPrincipal"):
            if element in raw:
                raise PolicyError(f"{sid}: {element} belongs to resource-based policies")
        effect = raw.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise PolicyError(f"{sid}: Effect must be Allow or Deny, not {effect!r}")
        if ("Action" in raw) == ("NotAction" in raw):
            raise PolicyError(f"{sid}: give exactly one of Action and NotAction")
        if ("Resource" in raw) == ("NotResource" in raw):
            raise PolicyError(f"{sid}: give exactly one of Resource and NotResource")
        action_element = "Action" if "Action" in raw else "NotAction"
        resource_element = "Resource" if "Resource" in raw else "NotResource"
        actions = _strings(raw[action_element], f"{sid}: {action_element}")
        resources = _strings(raw[resource_element], f"{sid}: {resource_element}")
        if any("${" in text for text in resources):
            raise PolicyError(f"{sid}: policy variables in Resource are not evaluated locally")
        try:
            conditions = parse_block(raw["Condition"]) if "Condition" in raw else []
        except ConditionError as error:
            raise PolicyError(f"{sid}: {error}") from None
        return cls(
            sid=sid,
            effect=effect,
            actions=[_pattern(a, ignore_case=True) for a in actions],
            not_action=action_element == "NotAction",
            resources=[_pattern(r, ignore_case=False) for r in resources],
            any_resource="*" in resources,
            not_resource=resource_element == "NotResource",
            conditions=conditions,
        )

    def _action(self, action: str) -> bool:
        hit = any(p.fullmatch(action) for p in self.actions)
        return hit != self.not_action

    def _resource(self, resource: str | None) -> bool | None:
        """Whether the statement covers ``resource``; None when that depends on a resource
        the runtime cannot tell."""
        if resource is None:
            if self.not_resource:
                return False if self.any_resource else None
            return True if self.any_resource else None
        hit = any(p.fullmatch(resource) for p in self.resources)
        return hit != self.not_resource

    def applies(self, request: Authorization) -> bool | None:
        if not self._action(request.action):
            return False
        if not all(c.holds(request.context) for c in self.conditions):
            return False
        return self._resource(request.resource)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    # "explicit" (a Deny applies) or "implicit" (no Allow applies); "" when allowed.
    denial: str = ""
    statement: str = ""


class Policies:
    """The identity-based policies of one principal (e.g. a role's inline policies)."""

    def __init__(self, documents: Iterable[tuple[str, Any]]) -> None:
        self.statements: list[Statement] = []
        for name, document in documents:
            self.statements += read_document(name, document)

    def decide(self, request: Authorization) -> Decision:
        allowed_by = ""
        for statement in self.statements:
            applies = statement.applies(request)
            if statement.effect == "Deny" and applies is True:
                return Decision(False, "explicit", statement.sid)
            if statement.effect == "Allow" and applies is not False:
                # An Allow that may cover a resource the runtime cannot tell counts as one.
                allowed_by = allowed_by or statement.sid
        if allowed_by:
            return Decision(True, statement=allowed_by)
        return Decision(False, "implicit")


def read_document(name: str, document: Any) -> list[Statement]:
    """The statements of a policy document (JSON text or its parsed form)."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError as error:
            raise PolicyError(f"{name}: the policy is not JSON ({error})") from None
    if not isinstance(document, dict) or "Statement" not in document:
        raise PolicyError(f"{name}: a policy is an object with a Statement")
    if document.get("Version", "2008-10-17") not in ("2012-10-17", "2008-10-17"):
        raise PolicyError(f"{name}: unknown policy Version {document.get('Version')!r}")
    raw = document["Statement"]
    items = raw if isinstance(raw, list) else [raw]
    return [Statement.read(item, f"{name} statement {i}") for i, item in enumerate(items)]
