"""The match operators of a pattern, each built from its operand as event-ruler's
``JsonRuleCompiler`` reads it, refusing what it refuses with its reason."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from typing import Any

from local_runtime.events.patterns.model import (
    InvalidPatternError,
    Match,
    ip_address,
    is_number,
    looks_like_ip,
    number_key,
)


def _string(operand: Any, what: str) -> str:
    if not isinstance(operand, str):
        raise InvalidPatternError(f"{what} match pattern must be a string")
    return operand


def _affix(kind: str, operand: Any) -> Match:
    if isinstance(operand, dict):
        if not operand:
            raise InvalidPatternError(f"{kind.capitalize()} expression name not found")
        inner, text = next(iter(operand.items()))
        if inner != "equals-ignore-case":
            raise InvalidPatternError(f"Unsupported {kind} pattern: {inner}")
        if len(operand) > 1:
            raise InvalidPatternError("Only one key allowed in match expression")
        return Match(kind, _string(text, "equals-ignore-case"), ignore_case=True)
    return Match(kind, _string(operand, kind))


def _prefix(operand: Any) -> Match:
    return _affix("prefix", operand)


def _suffix(operand: Any) -> Match:
    return _affix("suffix", operand)


def _wildcard_text(text: str) -> str:
    """``text`` if it is a valid wildcard (event-ruler's WildcardParser; positions count the
    UTF-8 bytes of the quoted value, as it reports them)."""
    raw = ('"' + text + '"').encode()
    i = 0
    while i < len(raw):
        if raw[i : i + 1] == b"*" and raw[i + 1 : i + 2] == b"*":
            raise InvalidPatternError(f"Consecutive wildcard characters at pos {i}")
        if raw[i : i + 1] == b"\\":
            if raw[i + 1 : i + 2] not in {b"*", b"\\"}:
                raise InvalidPatternError(f"Invalid escape character at pos {i}")
            i += 1
        i += 1
    return text


def _wildcard(operand: Any) -> Match:
    return Match("wildcard", _wildcard_text(_string(operand, "wildcard")))


def _equals_ignore_case(operand: Any) -> Match:
    return Match("equals-ignore-case", _string(operand, "equals-ignore-case"))


def _exactly(operand: Any) -> Match:
    return Match("exact", _string(operand, "exact"))


def _exists(operand: Any) -> Match:
    if not isinstance(operand, bool):
        raise InvalidPatternError("exists match pattern must be either true or false.")
    return Match("exists", operand)


def _cidr(operand: Any) -> Match:
    text = _string(operand, "prefix")
    address, slash, bits = text.partition("/")
    if not slash or "/" in bits:
        raise InvalidPatternError("Malformed CIDR, one '/' required")
    try:
        mask = int(bits)
    except ValueError:
        raise InvalidPatternError("Malformed CIDR, mask bits must be an integer") from None
    if mask < 0:
        raise InvalidPatternError("Malformed CIDR, mask bits must not be negative")
    ip = ip_address(address)
    if ip is None:
        problem = "Invalid" if looks_like_ip(address) else "Nonstandard"
        raise InvalidPatternError(f"{problem} IP address: {address}")
    if ip.version == 4 and mask > 31:
        raise InvalidPatternError("IPv4 mask bits must be < 32")
    if ip.version == 6 and mask > 127:
        raise InvalidPatternError("IPv6 mask bits must be < 128")
    return Match("cidr", ipaddress.ip_network(f"{ip}/{mask}", strict=False))


def _number(operand: Any, what: str) -> float:
    if not is_number(operand):
        raise InvalidPatternError(f"Value of {what} must be numeric")
    key = number_key(operand)
    if key is None:
        raise InvalidPatternError(f"Cannot compare number : {operand}")
    return key


def _numeric(operand: Any) -> Match:
    if not isinstance(operand, list):
        raise InvalidPatternError("Value of numeric must be an array.")
    if not operand or not isinstance(operand[0], str):
        shown = json.dumps(operand[0]) if operand else "]"
        raise InvalidPatternError(f"Invalid member in numeric match: {shown}")
    operator, rest = operand[0], operand[1:]
    if operator not in {"=", "<", "<=", ">", ">="}:
        raise InvalidPatternError(f"Unrecognized numeric range operator: {operator}")
    named = "equals" if operator == "=" else operator
    if not rest:
        raise InvalidPatternError(f"Value of {named} must be numeric")
    value = _number(rest[0], named)
    if operator in {">", ">="} and len(rest) > 1:
        return _range(value, operator == ">", rest[1:])
    if len(rest) > 1:
        raise InvalidPatternError("Too many elements in numeric expression")
    if operator == "=":
        return Match("numeric", bounds=(value, False, value, False))
    if operator in {"<", "<="}:
        return Match("numeric", bounds=(None, False, value, operator == "<"))
    return Match("numeric", bounds=(value, operator == ">", None, False))


def _range(bottom: float, open_bottom: bool, rest: list[Any]) -> Match:
    """A bounded range: ``[">" | ">=", bottom]`` followed by ``"<" | "<=", top``."""
    operator = rest[0]
    if not isinstance(operator, str):
        raise InvalidPatternError(f"Bad value in numeric range: {json.dumps(operator)}")
    if operator not in {"<", "<="}:
        raise InvalidPatternError(f"Bad numeric range operator: {operator}")
    if len(rest) < 2:
        raise InvalidPatternError(f"Value of {operator} must be numeric")
    top = _number(rest[1], operator)
    if len(rest) > 2:
        raise InvalidPatternError("Too many terms in numeric range expression")
    if not bottom < top:
        raise InvalidPatternError("Bottom must be less than top")
    return Match("numeric", bounds=(bottom, open_bottom, top, operator == "<"))


_SET_KINDS = {"equals-ignore-case", "prefix", "suffix", "wildcard"}


def _anything_but(operand: Any) -> Match:
    if isinstance(operand, dict):
        if not operand:
            raise InvalidPatternError("Anything-But expression name not found")
        operator, inner = next(iter(operand.items()))
        if operator not in _SET_KINDS:
            raise InvalidPatternError(f"Unsupported anything-but pattern: {operator}")
        if len(operand) > 1:
            raise InvalidPatternError("Too many elements in numeric expression")
        return _anything_but_set(operator, inner)
    if isinstance(operand, list):
        strings = [v for v in operand if isinstance(v, str)]
        numbers = [v for v in operand if is_number(v)]
        if len(strings) + len(numbers) != len(operand):
            raise InvalidPatternError(
                "Inside anything but list, start|null|boolean is not supported."
            )
        if (strings and numbers) or not operand:
            raise InvalidPatternError(
                "Inside anything but list, either all values are number or string, mixed type "
                "is not supported"
            )
        if numbers:
            return Match(
                "anything-but",
                values=tuple(_number(n, "anything-but") for n in numbers),
                numeric=True,
            )
        return Match("anything-but", values=tuple(strings))
    if isinstance(operand, str):
        return Match("anything-but", values=(operand,))
    if is_number(operand):
        return Match("anything-but", values=(_number(operand, "anything-but"),), numeric=True)
    raise InvalidPatternError(
        "Value of anything-but must be an array or single string/number value."
    )


def _anything_but_set(operator: str, inner: Any) -> Match:
    values = inner if isinstance(inner, list) else [inner]
    for value in values:
        if not isinstance(value, str):
            if operator == "equals-ignore-case":
                raise InvalidPatternError(
                    "Inside anything-but/equals-ignore-case list, number|start|null|boolean is "
                    "not supported."
                )
            if operator == "wildcard":
                raise InvalidPatternError("wildcard match pattern must be a string")
            raise InvalidPatternError("prefix/suffix match pattern must be a string")
        if operator in {"prefix", "suffix"} and not value:
            raise InvalidPatternError("Null prefix/suffix not allowed")
        if operator == "wildcard":
            _wildcard_text(value)
    return Match("anything-but-set", operator=operator, values=tuple(values))


# operator name -> the Match its operand makes (InvalidPatternError when it cannot).
OPERATORS: dict[str, Callable[[Any], Match]] = {
    "exactly": _exactly,
    "prefix": _prefix,
    "suffix": _suffix,
    "equals-ignore-case": _equals_ignore_case,
    "wildcard": _wildcard,
    "numeric": _numeric,
    "anything-but": _anything_but,
    "exists": _exists,
    "cidr": _cidr,
}
