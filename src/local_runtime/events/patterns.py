"""EventBridge event-pattern matching: the local bus's rules and stream filters.

Written once for the local runtime and for the contract tests. Implemented from the
EventBridge event-pattern reference ("Creating event patterns", "Content filtering"): a
pattern is a JSON object whose leaves are arrays; an event matches when every field of
the pattern matches (AND), and a field matches when its value equals any element of the array
(OR). A nested object matches the event's object at that key. Beyond exact values, the
operators here are ``prefix``, ``suffix``, ``anything-but`` (value or list), ``exists``
and ``equals-ignore-case``; any
other operator raises, so a pattern that needs one cannot pass by accident. Values in the
event that are arrays match when any element matches.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_MISSING = object()


class UnsupportedPatternError(ValueError):
    """The pattern uses EventBridge syntax this matcher does not implement."""


def check_pattern(pattern: Any, where: str = "") -> None:
    """Raise UnsupportedPatternError, naming the operator and where it is, for anything in
    ``pattern`` this matcher does not implement (the runtime calls this at start)."""
    if not isinstance(pattern, dict):
        raise UnsupportedPatternError(f"{where or 'pattern'}: a pattern must be a JSON object")
    for key, rule in pattern.items():
        path = f"{where}.{key}" if where else key
        if isinstance(rule, dict):
            check_pattern(rule, path)
            continue
        if not isinstance(rule, list):
            raise UnsupportedPatternError(f"{path}: pattern leaves must be arrays, got {rule!r}")
        if not rule:
            raise UnsupportedPatternError(f"{path}: an empty array matches nothing")
        for element in rule:
            if not isinstance(element, dict):
                continue
            if len(element) != 1:
                raise UnsupportedPatternError(f"{path}: one operator per element, got {element!r}")
            (operator,) = element
            if operator != "exists" and operator not in _OPERATORS:
                raise UnsupportedPatternError(
                    f"{path}: operator {operator!r} is not implemented by the local runtime "
                    f"(it implements: exact values, exists, {', '.join(sorted(_OPERATORS))})"
                )


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    for key, rule in pattern.items():
        value = event.get(key, _MISSING) if isinstance(event, dict) else _MISSING
        if isinstance(rule, dict):
            if value is _MISSING or not isinstance(value, dict) or not matches(rule, value):
                return False
        elif isinstance(rule, list):
            if not _field_matches(rule, value):
                return False
        else:
            raise UnsupportedPatternError(f"{key}: pattern leaves must be arrays, got {rule!r}")
    return True


def _field_matches(rule: list[Any], value: Any) -> bool:
    if not rule:
        raise UnsupportedPatternError("an empty array matches nothing; EventBridge refuses it")
    values = value if isinstance(value, list) else [value]
    return any(_element_matches(element, v) for element in rule for v in values)


def _anything_but(operand: Any, value: Any) -> bool:
    return value not in (operand if isinstance(operand, list) else [operand])


# Operators that compare a present value with their operand.
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "prefix": lambda operand, value: isinstance(value, str) and value.startswith(operand),
    "suffix": lambda operand, value: isinstance(value, str) and value.endswith(operand),
    "equals-ignore-case": lambda operand, value: (
        isinstance(value, str) and value.lower() == str(operand).lower()
    ),
    "anything-but": _anything_but,
}


def _element_matches(element: Any, value: Any) -> bool:
    if not isinstance(element, dict):
        return value is not _MISSING and element == value
    if len(element) != 1:
        raise UnsupportedPatternError(f"one operator per element, got {element!r}")
    ((operator, operand),) = element.items()
    if operator == "exists":
        return (value is not _MISSING) == bool(operand)
    compare = _OPERATORS.get(operator)
    if compare is None:
        raise UnsupportedPatternError(f"operator {operator!r} is not implemented here")
    return value is not _MISSING and compare(operand, value)
