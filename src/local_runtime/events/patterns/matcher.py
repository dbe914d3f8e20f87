"""Matching events against compiled patterns, as EventBridge's engine (aws/event-ruler) does.

- An event is read as its leaves: every string, number, ``true``, ``false`` and ``null``,
  named by its dotted path (``detail.state``), with the elements of every array it lies in.
  Objects and arrays are not values: ``exists`` sees leaves only ("Exists matching only works
  on leaf nodes", user guide), so an empty array or object does not exist, and a field whose
  value is an object does not exist for ``{"exists": true}``.
- A pattern matches when one of its alternatives does; an alternative matches when each of its
  fields has a leaf that one of the field's matches accepts (``exists: false``: no leaf at
  all), with one rule for arrays (event-ruler's README, "JSON Array Matching"): two leaves
  chosen for two fields must not lie in different elements of the same array. Fields are taken
  in sorted order, as event-ruler walks them, which decides what ``exists: false`` sees.
- Values are typed: ``"1"``, ``1`` and ``true`` are three values; numbers compare by value
  when a binary64 represents them exactly (``300``, ``300.0`` and ``3.0e2`` are one number in
  event-ruler, ``ByteMachineTest``; the user guide's older sentence that they differ is not what
  the engine does); ``null`` and ``""`` are two values.
- Strings operators (``prefix``, ``suffix``, ``equals-ignore-case``, ``wildcard``, ``cidr``)
  accept strings only, ``numeric`` numbers only; ``anything-but`` accepts every leaf that is
  not one of its values (a number for a list of strings, a string for a list of numbers).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from local_runtime.events.patterns.compiler import EVENTBRIDGE, compile_pattern
from local_runtime.events.patterns.model import (
    Match,
    SubRule,
    ip_address,
    is_number,
    number_key,
)


@dataclass(frozen=True)
class Leaf:
    """One value of the event: its dotted name, the value, and (array id, element index) for
    every array it lies in."""

    name: str
    value: Any
    arrays: tuple[tuple[int, int], ...]


def leaves(event: Any) -> list[Leaf]:
    """The leaves of ``event``, arrays numbered in the order they are met."""
    found: list[Leaf] = []
    counter = [0]

    def walk(value: Any, name: str, arrays: tuple[tuple[int, int], ...]) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                walk(inner, f"{name}.{key}" if name else str(key), arrays)
        elif isinstance(value, list):
            array = counter[0]
            counter[0] += 1
            for index, inner in enumerate(value):
                walk(inner, name, (*arrays, (array, index)))
        elif name:
            found.append(Leaf(name, value, arrays))

    walk(event, "", ())
    return found


def _merge(
    constraints: dict[int, int], arrays: tuple[tuple[int, int], ...]
) -> dict[int, int] | None:
    """``constraints`` with the leaf's elements added; None when they contradict."""
    merged = constraints
    for array, index in arrays:
        held = merged.get(array)
        if held is None:
            merged = {**merged, array: index}
        elif held != index:
            return None
    return merged


def _consistent(constraints: dict[int, int], arrays: tuple[tuple[int, int], ...]) -> bool:
    return all(constraints.get(array, index) == index for array, index in arrays)


def sub_rule_matches(rule: SubRule, by_name: Mapping[str, list[Leaf]]) -> bool:
    """Whether the event (its leaves by name) satisfies every field of ``rule``."""
    candidates: list[tuple[list[Leaf], bool]] = []
    for name, matches in rule.fields:
        present = by_name.get(name, [])
        accepted = [leaf for leaf in present if any(accepts(m, leaf.value) for m in matches)]
        absent_ok = any(m.kind == "exists" and m.value is False for m in matches)
        if not accepted and not absent_ok:
            return False  # no leaf can serve this field: fail without searching
        candidates.append((accepted, absent_ok))

    def search(i: int, constraints: dict[int, int]) -> bool:
        if i == len(candidates):
            return True
        accepted, absent_ok = candidates[i]
        name = rule.fields[i][0]
        absent = absent_ok and not any(
            _consistent(constraints, leaf.arrays) for leaf in by_name.get(name, [])
        )
        if absent and search(i + 1, constraints):
            return True
        for leaf in accepted:
            merged = _merge(constraints, leaf.arrays)
            if merged is not None and search(i + 1, merged):
                return True
        return False

    return search(0, {})


def by_name(event: Any) -> dict[str, list[Leaf]]:
    """The leaves of ``event`` by dotted name: read once, matched against every rule."""
    found: dict[str, list[Leaf]] = {}
    for leaf in leaves(event):
        found.setdefault(leaf.name, []).append(leaf)
    return found


class Pattern:
    """An event pattern, compiled (InvalidPatternError when EventBridge would refuse it)."""

    def __init__(self, source: str | Mapping[str, Any], dialect: str = EVENTBRIDGE) -> None:
        self.source = source
        self.rules = compile_pattern(source, dialect)

    def matches(self, event: Any) -> bool:
        return self.matches_leaves(by_name(event))

    def matches_leaves(self, leaves_by_name: Mapping[str, list[Leaf]]) -> bool:
        """As ``matches``, for an event already read with ``by_name``."""
        return any(sub_rule_matches(rule, leaves_by_name) for rule in self.rules)


def _same_letters(a: str, b: str) -> bool:
    """Equal but for case, letter by letter (event-ruler compares each character with its
    lower and upper case forms)."""
    return len(a) == len(b) and all(
        x == y or x.lower() == y.lower() or x.upper() == y.upper()
        for x, y in zip(a, b, strict=True)
    )


@cache
def _wildcard_regex(text: str) -> re.Pattern[str]:
    parts: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            parts.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "*":
            parts.append(".*")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


def _equal_numbers(a: Any, b: Any) -> bool:
    left, right = number_key(a), number_key(b)
    if left is not None and right is not None:
        return left == right
    return bool(a == b)


def _exact(expected: Any, value: Any) -> bool:
    if expected is None or isinstance(expected, bool):
        return value is expected
    if isinstance(expected, str):
        return isinstance(value, str) and value == expected
    return is_number(value) and _equal_numbers(expected, value)


def _in_range(bounds: tuple[float | None, bool, float | None, bool], value: Any) -> bool:
    number = number_key(value) if is_number(value) else None
    if number is None:
        return False
    low, low_open, high, high_open = bounds
    if low is not None and (number < low or (low_open and number == low)):
        return False
    return not (high is not None and (number > high or (high_open and number == high)))


def _prefix(match: Match, value: str) -> bool:
    head = value[: len(match.value)]
    return _same_letters(head, match.value) if match.ignore_case else head == match.value


def _suffix(match: Match, value: str) -> bool:
    if len(match.value) > len(value):
        return False
    tail = value[len(value) - len(match.value) :]
    return _same_letters(tail, match.value) if match.ignore_case else tail == match.value


def _cidr(match: Match, value: str) -> bool:
    address = ip_address(value)
    network: ipaddress.IPv4Network | ipaddress.IPv6Network = match.value
    return address is not None and address.version == network.version and address in network


# The operators that take strings only: kind -> test of a string value.
_STRING_TESTS: dict[str, Callable[[Match, str], bool]] = {
    "prefix": _prefix,
    "suffix": _suffix,
    "equals-ignore-case": lambda match, value: _same_letters(value, match.value),
    "wildcard": lambda match, value: _wildcard_regex(match.value).fullmatch(value) is not None,
    "ip": lambda match, value: ip_address(value) == match.value,
    "cidr": _cidr,
}


def _string_test(match: Match, value: str) -> bool:
    return _STRING_TESTS[match.kind](match, value)


def _anything_but_set(match: Match, value: Any) -> bool:
    if not isinstance(value, str):
        return True
    probe = Match(match.operator, ignore_case=match.operator == "equals-ignore-case")
    for text in match.values:
        test = Match(probe.kind, text, ignore_case=probe.ignore_case)
        if _string_test(test, value):
            return False
    return True


def _anything_but(match: Match, value: Any) -> bool:
    """Every leaf but one of the values: a list of numbers lets strings through, a list of
    strings lets numbers through (event-ruler's AnythingBut, ``isNumeric``)."""
    if match.numeric:
        return not (is_number(value) and any(_equal_numbers(n, value) for n in match.values))
    return not (isinstance(value, str) and value in match.values)


# kind -> whether a leaf value passes; the string operators are in _STRING_TESTS.
_TESTS: dict[str, Callable[[Match, Any], bool]] = {
    "exact": lambda match, value: _exact(match.value, value),
    "exists": lambda match, _: bool(match.value),
    "numeric": lambda match, value: _in_range(match.bounds, value),
    "anything-but": _anything_but,
    "anything-but-set": _anything_but_set,
}


def accepts(match: Match, value: Any) -> bool:
    """Whether one leaf value satisfies one match of a field."""
    test = _TESTS.get(match.kind)
    if test is not None:
        return test(match, value)
    return isinstance(value, str) and _string_test(match, value)
