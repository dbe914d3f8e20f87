"""What a compiled pattern is made of, and the value rules both halves share: how event-ruler
reads numbers (a binary64 that holds them exactly) and IP address literals."""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any


class InvalidPatternError(ValueError):
    """EventBridge would refuse the pattern; ``reason`` is the reason it gives."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"Event pattern is not valid. Reason: {reason}")


def number_key(value: Any) -> float | None:
    """The number as event-ruler compares it: a binary64 value, when ``value`` is a JSON
    number that one represents exactly (``ComparableNumber.generate``); else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    try:
        exact = Decimal(value) if not isinstance(value, float) else Decimal(repr(value))
        binary = float(exact)
    except (InvalidOperation, OverflowError, ValueError):
        return None
    if math.isinf(binary) or math.isnan(binary) or Decimal(repr(binary)) != exact:
        return None
    return binary


# event-ruler's Constants.IPv4_REGEX and IPv6_REGEX: what may be an IP address literal.
_IPV4 = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_IPV6 = re.compile(r"[0-9a-fA-F:]*:[0-9a-fA-F:]*")


def looks_like_ip(text: str) -> bool:
    return _IPV4.fullmatch(text) is not None or _IPV6.fullmatch(text) is not None


def ip_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``text`` as an IP address literal, None if it is not one (event-ruler's CIDR)."""
    if not looks_like_ip(text):
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_number(value: Any) -> bool:
    """A JSON number (``true`` and ``false`` are not numbers here, though Python says so)."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


@dataclass(frozen=True)
class Match:
    """One element of a field's array: ``kind`` and what it compares with.

    Kinds: ``exact`` (``value``), ``ip`` (``value``: an address), ``prefix``, ``suffix``,
    ``equals-ignore-case``, ``wildcard`` (``value``: the text; ``ignore_case`` for the
    prefix and suffix forms), ``numeric`` (``bounds``), ``cidr`` (``value``: a network),
    ``exists`` (``value``: True or False), ``anything-but`` (``values``: strings or numbers,
    ``numeric``), ``anything-but-set`` (``operator`` and ``values``)."""

    kind: str
    value: Any = None
    values: tuple[Any, ...] = ()
    ignore_case: bool = False
    numeric: bool = False
    operator: str = ""
    bounds: tuple[float | None, bool, float | None, bool] = (None, False, None, False)


@dataclass(frozen=True)
class SubRule:
    """One alternative of a pattern: its fields (dotted name, the matches of its array) in
    event-ruler's order, sorted by name."""

    fields: tuple[tuple[str, tuple[Match, ...]], ...]
