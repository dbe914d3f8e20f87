"""A statement's ``Condition`` block, decided against a request's context keys.

The rules are those of the IAM User Guide, "IAM JSON policy elements: Condition operators" and
"Conditions with multiple context keys or values":

- several operators, and several keys under one operator, are ANDed; several values of one
  key are ORed, and NORed for a negated operator (``StringNotEquals``, ``ArnNotLike``, ...);
- a key absent from the request makes the condition false, except for a negated operator
  (true), ``...IfExists`` (true) and ``Null`` (which tests the absence itself);
- ``ForAnyValue:`` holds when any request value matches (false when the key is absent),
  ``ForAllValues:`` when every request value matches (true when the key is absent);
- ``StringLike``/``ArnLike`` take ``*`` and ``?``; ARNs compare part by part (six parts);
  ``Bool`` compares ``true``/``false`` without case.

Numeric, date, IP address and binary operators (no key the runtime supplies takes them) are
refused when the policy is read (``ConditionError``),
as is a key the runtime cannot put in a request (``KNOWN_KEYS``): a policy is never decided
on a condition the runtime cannot evaluate.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

# Context keys the runtime puts in a request (``requests.py``); others are refused.
KNOWN_KEYS = frozenset(
    {
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principaltype",
        "aws:userid",
        "aws:requestedregion",
        "aws:securetransport",
        "aws:viaawsservice",
        "events:source",
        "events:detail-type",
    }
)


class ConditionError(ValueError):
    """A condition the runtime cannot evaluate, or that IAM refuses."""


def _like(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    # IAM's wildcards are * and ? only: every other character is literal.
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.fullmatch(regex, value, flags) is not None


def arn_like(pattern: str, value: str) -> bool:
    """``ArnLike``: the six colon-separated parts of each compared part by part (the last
    part may hold colons), each with ``*`` and ``?``."""
    pattern_parts, value_parts = pattern.split(":", 5), value.split(":", 5)
    if len(pattern_parts) != 6 or len(value_parts) != 6:
        return False
    return all(_like(p, v) for p, v in zip(pattern_parts, value_parts, strict=True))


# operator -> (test(policy value, request value), negated)
_OPERATORS: dict[str, tuple[Callable[[str, str], bool], bool]] = {
    "StringEquals": (lambda w, a: w == a, False),
    "StringNotEquals": (lambda w, a: w == a, True),
    "StringEqualsIgnoreCase": (lambda w, a: w.casefold() == a.casefold(), False),
    "StringNotEqualsIgnoreCase": (lambda w, a: w.casefold() == a.casefold(), True),
    "StringLike": (_like, False),
    "StringNotLike": (_like, True),
    "ArnEquals": (arn_like, False),
    "ArnLike": (arn_like, False),
    "ArnNotEquals": (arn_like, True),
    "ArnNotLike": (arn_like, True),
    "Bool": (lambda w, a: w.lower() == a.lower(), False),
}

Context = Mapping[str, Sequence[str]]


def _values(raw: object) -> list[str]:
    items = raw if isinstance(raw, list) else [raw]
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in items]


class Condition:
    """One ``operator: {key: values}`` entry, checked when read."""

    def __init__(self, operator: str, key: str, wanted: object) -> None:
        self.text = f"{operator} {key}"
        qualifier, _, name = operator.rpartition(":")
        if qualifier not in ("", "ForAnyValue", "ForAllValues"):
            raise ConditionError(f"unknown set operator {qualifier!r} in {operator!r}")
        self.qualifier = qualifier
        self.if_exists = name.endswith("IfExists") and name != "Null"
        name = name.removesuffix("IfExists") if self.if_exists else name
        self.key = key.lower()
        self.wanted = _values(wanted)
        self.null = name == "Null"
        if self.null:
            self.test, self.negated = _OPERATORS["StringEquals"]
        elif name in _OPERATORS:
            self.test, self.negated = _OPERATORS[name]
        else:
            raise ConditionError(f"the condition operator {name!r} is not evaluated locally")
        if self.key not in KNOWN_KEYS:
            raise ConditionError(f"the condition key {key!r} is not evaluated locally")

    def holds(self, context: Context) -> bool:
        present = self.key in context
        if self.null:
            # Null: "true" holds when the key is absent, "false" when it is present.
            return any(w == ("false" if present else "true") for w in self.wanted)
        if not present:
            if self.qualifier == "ForAllValues":
                return True
            if self.qualifier == "ForAnyValue":
                return False
            return self.if_exists or self.negated
        actual = list(context[self.key])

        def matches(value: str) -> bool:
            hit = any(self.test(w, value) for w in self.wanted)
            return not hit if self.negated else hit

        if self.qualifier == "ForAllValues":
            return all(matches(v) for v in actual)
        # A single-valued key and ForAnyValue: any of the request's values.
        return any(matches(v) for v in actual)


def parse_block(block: object) -> list[Condition]:
    if not isinstance(block, dict):
        raise ConditionError("Condition must be an object")
    found: list[Condition] = []
    for operator, pairs in block.items():
        if not isinstance(pairs, dict):
            raise ConditionError(f"{operator} must map keys to values")
        found += [Condition(operator, key, wanted) for key, wanted in pairs.items()]
    return found
