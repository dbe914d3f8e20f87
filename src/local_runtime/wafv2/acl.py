"""A planned web ACL, applied to requests as AWS WAF applies it.

The rules are the plan's (``aws_wafv2_web_acl``'s ``rule`` blocks, in the provider's schema) and
are evaluated as the AWS WAF developer guide describes: in priority order; a matching rule with
``block`` or ``allow`` ends the evaluation, ``count`` goes on; no rule ends it: the default
action. Statements applied here ("Rule statements" in the guide):

- ``byte_match_statement`` (EXACTLY, STARTS_WITH, ENDS_WITH, CONTAINS) and
  ``regex_match_statement`` over ``uri_path``, ``method``, ``single_header`` and ``body``;
  text transformations NONE and LOWERCASE;
- ``and_statement``, ``or_statement``, ``not_statement``;
- ``rate_based_statement`` aggregated by ``IP`` or by ``CUSTOM_KEYS`` (headers and IP), with
  an optional scope-down statement: a request without one of the keys is not counted ("Rate-
  based rule aggregation options and keys"); an instance over ``limit`` requests in the last
  ``evaluation_window_sec`` is matched.

Not applied, and said at start: AWS managed rule groups (their rules are AWS's and
unpublished), IP set references, and any other statement. Where this differs from AWS (exact
counting here, where WAF estimates and acts after a short delay; the block page's text) the
README's differences table says so.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# What CloudFront lets WAF read of a body by default ("Body inspection size limits").
CLOUDFRONT_BODY_LIMIT = 16 * 1024

_POSITIONS: dict[str, Callable[[str, str], bool]] = {
    "EXACTLY": lambda value, s: value == s,
    "STARTS_WITH": lambda value, s: value.startswith(s),
    "ENDS_WITH": lambda value, s: value.endswith(s),
    "CONTAINS": lambda value, s: s in value,
}
_TRANSFORMS: dict[str, Callable[[str], str]] = {"NONE": lambda v: v, "LOWERCASE": str.lower}
# A body over the inspection limit with oversize_handling MATCH: matches whatever is asked.
_OVERSIZE = "\0oversize"


class NotAppliedError(Exception):
    """A statement this runtime does not evaluate; its rule is left out, and said so."""


@dataclass(frozen=True)
class WafRequest:
    """What WAF reads of a request."""

    ip: str
    method: str
    path: str
    headers: Mapping[str, str]  # names in lower case
    body: bytes


@dataclass(frozen=True)
class Verdict:
    action: str  # "allow" or "block"
    rule: str | None  # the rule that decided, None for the default action


def _one(block: Any, what: str) -> dict[str, Any]:
    if not isinstance(block, list) or len(block) != 1 or not isinstance(block[0], dict):
        raise NotAppliedError(f"{what} is not one block")
    return block[0]


def _set(block: dict[str, Any]) -> list[str]:
    """The names of a block's nested blocks that are set (non-empty lists)."""
    return [k for k, v in block.items() if isinstance(v, list) and v]


def _field(spec: dict[str, Any], body_limit: int) -> Callable[[WafRequest], str | None]:
    kinds = _set(spec)
    if kinds == ["uri_path"]:
        return lambda r: r.path
    if kinds == ["method"]:
        return lambda r: r.method
    if kinds == ["single_header"]:
        name = str(_one(spec["single_header"], "single_header")["name"]).lower()
        return lambda r: r.headers.get(name)
    if kinds == ["body"]:
        oversize = _one(spec["body"], "body").get("oversize_handling") or "CONTINUE"
        if oversize not in ("CONTINUE", "MATCH", "NO_MATCH"):
            raise NotAppliedError(f"body oversize_handling {oversize}")

        def body(r: WafRequest) -> str | None:
            if len(r.body) > body_limit and oversize != "CONTINUE":
                return None if oversize == "NO_MATCH" else _OVERSIZE
            return r.body[:body_limit].decode("utf-8", errors="replace")

        return body
    raise NotAppliedError(f"field_to_match {kinds}")


def _transform(spec: dict[str, Any]) -> Callable[[str], str]:
    steps = sorted(spec.get("text_transformation") or [], key=lambda t: t["priority"])
    funcs = []
    for step in steps:
        if step["type"] not in _TRANSFORMS:
            raise NotAppliedError(f"text transformation {step['type']}")
        funcs.append(_TRANSFORMS[step["type"]])

    def apply(value: str) -> str:
        for f in funcs:
            value = f(value)
        return value

    return apply


Matcher = Callable[[WafRequest], bool]


def _matcher(statement: dict[str, Any], body_limit: int) -> Matcher:
    kinds = _set(statement)
    if len(kinds) != 1:
        raise NotAppliedError(f"statement {kinds}")
    kind = kinds[0]
    spec = _one(statement[kind], kind)
    if kind in ("and_statement", "or_statement"):
        parts = [_matcher(s, body_limit) for s in spec["statement"]]
        combine = all if kind == "and_statement" else any
        return lambda r: combine(p(r) for p in parts)
    if kind == "not_statement":
        inner = _matcher(_one(spec["statement"], "not_statement"), body_limit)
        return lambda r: not inner(r)
    if kind in ("byte_match_statement", "regex_match_statement"):
        read = _field(_one(spec["field_to_match"], "field_to_match"), body_limit)
        transform = _transform(spec)
        if kind == "byte_match_statement":
            position = spec["positional_constraint"]
            if position not in _POSITIONS:
                raise NotAppliedError(f"positional constraint {position}")
            test, wanted = _POSITIONS[position], str(spec["search_string"])

            def byte_match(r: WafRequest) -> bool:
                value = read(r)
                if value == _OVERSIZE:
                    return True
                return value is not None and test(transform(value), wanted)

            return byte_match
        pattern = re.compile(spec["regex_string"])

        def regex_match(r: WafRequest) -> bool:
            value = read(r)
            if value == _OVERSIZE:
                return True
            return value is not None and pattern.search(transform(value)) is not None

        return regex_match
    raise NotAppliedError(kind.removesuffix("_statement").replace("_", " "))


@dataclass
class RateLimit:
    """One rate-based statement: request times per aggregation instance."""

    limit: int
    window: float
    keys: Callable[[WafRequest], tuple[str, ...] | None]
    scope: Matcher | None
    clock: Callable[[], float] = time.monotonic
    seen: dict[tuple[str, ...], deque[float]] = field(default_factory=dict)

    def __call__(self, request: WafRequest) -> bool:
        if self.scope is not None and not self.scope(request):
            return False
        key = self.keys(request)
        if key is None:
            return False
        now = self.clock()
        times = self.seen.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        times.append(now)
        return len(times) > self.limit


def _header_key(header: dict[str, Any]) -> Callable[[WafRequest], str | None]:
    name, transform = str(header["name"]).lower(), _transform(header)

    def read(request: WafRequest) -> str | None:
        value = request.headers.get(name)
        return None if value is None else transform(value)

    return read


def _rate(spec: dict[str, Any], body_limit: int, clock: Callable[[], float]) -> RateLimit:
    aggregate = spec.get("aggregate_key_type")
    readers: list[Callable[[WafRequest], str | None]] = []
    if aggregate == "IP":
        readers.append(lambda r: r.ip)
    elif aggregate == "CUSTOM_KEYS":
        for key in spec.get("custom_key") or []:
            kinds = _set(key)
            if kinds == ["ip"]:
                readers.append(lambda r: r.ip)
            elif kinds == ["header"]:
                readers.append(_header_key(_one(key["header"], "header")))
            else:
                raise NotAppliedError(f"rate-based custom key {kinds}")
    else:
        raise NotAppliedError(f"rate-based aggregation {aggregate}")

    def keys(request: WafRequest) -> tuple[str, ...] | None:
        values = tuple(read(request) for read in readers)
        return None if any(v is None for v in values) else values  # type: ignore[return-value]

    scope = spec.get("scope_down_statement") or []
    return RateLimit(
        limit=int(spec["limit"]),
        window=float(spec.get("evaluation_window_sec") or 300),
        keys=keys,
        scope=_matcher(_one(scope, "scope_down_statement"), body_limit) if scope else None,
        clock=clock,
    )


@dataclass(frozen=True)
class Rule:
    name: str
    priority: int
    action: str  # block, allow or count
    matches: Matcher


class WebAcl:
    """A planned web ACL: ``decide`` a request; ``not_applied`` names the rules left out."""

    def __init__(
        self,
        name: str,
        planned: dict[str, Any],
        body_limit: int = CLOUDFRONT_BODY_LIMIT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        default = _set(_one(planned.get("default_action"), "default_action"))
        self.default = "block" if default == ["block"] else "allow"
        self.rules: list[Rule] = []
        self.not_applied: dict[str, str] = {}
        for rule in sorted(planned.get("rule") or [], key=lambda r: r["priority"]):
            try:
                self.rules.append(self._rule(rule, body_limit, clock))
            except NotAppliedError as exc:
                self.not_applied[rule["name"]] = str(exc)

    @staticmethod
    def _rule(rule: dict[str, Any], body_limit: int, clock: Callable[[], float]) -> Rule:
        if any(s.get("managed_rule_group_statement") for s in rule.get("statement") or []):
            raise NotAppliedError("an AWS managed rule group: its rules are AWS's, unpublished")
        actions = _set(_one(rule.get("action"), "action")) if rule.get("action") else []
        if actions not in (["block"], ["allow"], ["count"]):
            raise NotAppliedError(f"action {actions or 'override_action (a rule group)'}")
        statement = _one(rule["statement"], "statement")
        if _set(statement) == ["rate_based_statement"]:
            spec = _one(statement["rate_based_statement"], "rate_based_statement")
            matches: Matcher = _rate(spec, body_limit, clock)
        else:
            matches = _matcher(statement, body_limit)
        return Rule(rule["name"], int(rule["priority"]), actions[0], matches)

    def decide(self, request: WafRequest) -> Verdict:
        for rule in self.rules:
            if rule.matches(request) and rule.action != "count":
                return Verdict(rule.action, rule.name)
        return Verdict(self.default, None)
