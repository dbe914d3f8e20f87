"""Event patterns, compiled: EventBridge's validation, with the reasons EventBridge gives.

A pattern is read as EventBridge reads it (``InvalidEventPatternException``: "Event pattern is
not valid. Reason: ..."). The rules and the reasons are those of the engine EventBridge runs,
aws/event-ruler (``JsonRuleCompiler``, ``CIDR``, ``WildcardParser``), and of the user guide's
"Event patterns" and "Comparison operators" pages:

- a pattern is a non-empty JSON object whose leaves are non-empty arrays of matches; keys
  nest (``{"detail": {"state": [...]}}``) and name a dotted path (``detail.state``);
- a match is a string, a number, ``true``, ``false``, ``null`` (exact, typed) or an object
  with one operator: ``prefix``, ``suffix`` (each also ``{"equals-ignore-case": s}``),
  ``equals-ignore-case``, ``wildcard``, ``anything-but`` (a value, a list of all strings or
  all numbers, or ``{"prefix"|"suffix"|"equals-ignore-case"|"wildcard": s or [s, ...]}``),
  ``numeric`` (``=``, or a lower and/or an upper bound), ``cidr`` (IPv4/IPv6), ``exists``,
  ``exactly``;
- ``"$or": [{...}, {...}, ...]`` (two objects or more) splits a pattern into alternatives;
  an operator name may not be a field inside them.

A compiled pattern is a list of alternatives (``SubRule``); each holds its fields sorted by
dotted name (the order event-ruler walks them) with their matches (``Match``). Lambda's event
filters (``dialect=LAMBDA``) accept fewer operators ("Filter rule syntax" in the Lambda guide:
no ``wildcard``, ``cidr`` or ``anything-but`` of a prefix, suffix, case or wildcard).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from local_runtime.events.patterns.model import InvalidPatternError, Match, SubRule, ip_address
from local_runtime.events.patterns.operators import OPERATORS

EVENTBRIDGE = "eventbridge"
LAMBDA = "lambda"
OR = "$or"
# event-ruler's Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP: names a field inside "$or"
# may not have.
RESERVED_IN_OR = frozenset(
    {
        "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists",
        "wildcard", "numeric", "cidr", "=", "<", "<=", ">", ">=", "regex", "not-wildcard",
        "not-equals-ignore-case", "date-after", "date-on-or-after", "date-before",
        "date-on-or-before", "in-date-range", "ip-address-in-range", "ip-address-not-in-range",
    }
)  # fmt: skip
# The Lambda guide's "Filter rule syntax" table, and the user guide's "Pipe support" column.
_NOT_IN_LAMBDA = frozenset({"wildcard", "cidr", "anything-but-set", "exactly"})
# PutRule's EventPattern: at most 4096 characters (the API's model; the service's default
# quota is 2048, which can be raised to 4096).
MAX_PATTERN_LENGTH = 4096


@dataclass
class _Fields:
    """An alternative being built: dotted name -> matches (a later key replaces an earlier)."""

    by_name: dict[str, tuple[Match, ...]] = field(default_factory=dict)

    def copy(self) -> _Fields:
        return _Fields(dict(self.by_name))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number (JSON numbers must be finite)")


def parse_pattern(source: str | Mapping[str, Any]) -> Any:
    """The pattern as JSON; a string longer than PutRule allows, or not JSON, is refused."""
    if not isinstance(source, str):
        return source
    if len(source) > MAX_PATTERN_LENGTH:
        raise InvalidPatternError(
            f"the pattern has {len(source)} characters; EventPattern takes at most "
            f"{MAX_PATTERN_LENGTH}"
        )
    try:
        # Decimal keeps every digit, so that a number no binary64 holds is refused as
        # event-ruler refuses it ("Cannot compare number").
        return json.loads(source, parse_constant=_reject_constant, parse_float=Decimal)
    except ValueError as exc:
        raise InvalidPatternError(f"the pattern is not JSON: {exc}") from exc


def compile_pattern(
    source: str | Mapping[str, Any], dialect: str = EVENTBRIDGE
) -> tuple[SubRule, ...]:
    """The alternatives of ``source``; InvalidPatternError with EventBridge's reason."""
    pattern = parse_pattern(source)
    if not isinstance(pattern, dict):
        raise InvalidPatternError("Filter is not an object")
    rules = _Compiler(dialect).object(pattern, (), [_Fields()], inside_or=False)
    return tuple(SubRule(tuple(sorted(r.by_name.items(), key=lambda item: item[0]))) for r in rules)


class _Compiler:
    def __init__(self, dialect: str) -> None:
        if dialect not in {EVENTBRIDGE, LAMBDA}:
            raise ValueError(f"unknown pattern dialect {dialect!r}")
        self.dialect = dialect

    def object(
        self, node: dict[str, Any], path: tuple[str, ...], rules: list[_Fields], *, inside_or: bool
    ) -> list[_Fields]:
        if not node:
            raise InvalidPatternError("Empty objects are not allowed")
        for key, value in node.items():
            if key == OR:
                rules = self.alternatives(value, path, rules)
                continue
            if inside_or and key in RESERVED_IN_OR:
                raise InvalidPatternError(
                    f"{key} is Ruler reserved fieldName which cannot be used inside {OR}."
                )
            if isinstance(value, dict):
                rules = self.object(value, (*path, key), rules, inside_or=inside_or)
            elif isinstance(value, list):
                matches = self.array(value)
                name = ".".join((*path, key))
                for rule in rules:
                    rule.by_name[name] = matches
            else:
                raise InvalidPatternError(f'"{key}" must be an object or an array')
        return rules

    def alternatives(
        self, value: Any, path: tuple[str, ...], rules: list[_Fields]
    ) -> list[_Fields]:
        if not isinstance(value, list):
            raise InvalidPatternError(f"It must be an Array followed with {OR}.")
        result: list[_Fields] = []
        for branch in value:
            if not isinstance(branch, dict):
                raise InvalidPatternError(
                    f"Only JSON object is allowed in array of {OR} relationship."
                )
            copies = [rule.copy() for rule in rules]
            result.extend(self.object(branch, path, copies, inside_or=True))
        if len(value) < 2:
            raise InvalidPatternError(f"There must have at least 2 Objects in {OR} relationship.")
        return result

    def array(self, values: list[Any]) -> tuple[Match, ...]:
        if not values:
            raise InvalidPatternError("Empty arrays are not allowed")
        matches: list[Match] = []
        for value in values:
            if isinstance(value, dict):
                matches.append(self.expression(value))
            elif isinstance(value, str):
                address = ip_address(value)
                matches.append(
                    Match("ip", address) if address is not None else Match("exact", value)
                )
            elif value is None or isinstance(value, bool | int | float | Decimal):
                matches.append(Match("exact", value))
            else:
                raise InvalidPatternError(
                    "Match value must be String, number, true, false, or null"
                )
        return tuple(matches)

    def expression(self, node: dict[str, Any]) -> Match:
        if not node:
            raise InvalidPatternError("Match expression name not found")
        operator, operand = next(iter(node.items()))
        build = OPERATORS.get(operator)
        if build is None:
            raise InvalidPatternError(f"Unrecognized match type {operator}")
        match = build(operand)
        if len(node) > 1:
            raise InvalidPatternError(
                "Too many elements in numeric expression"
                if operator in {"numeric", "anything-but"}
                else "Only one key allowed in match expression"
            )
        if self.dialect == LAMBDA and match.kind in _NOT_IN_LAMBDA:
            raise InvalidPatternError(
                f"{operator} {json.dumps(operand)} is not a filter rule Lambda event filtering "
                "accepts"
            )
        return match
