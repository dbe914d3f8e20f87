"""JSON as AWS's services read it: strict, and bounded before it is parsed.

Python's ``json`` is lenient where AWS's parsers are not: it reads ``NaN`` and ``Infinity``,
lone surrogate escapes (``"\\ud800"``, which no UTF-8 text can hold), bytes that are not
UTF-8 (after a lenient decode), and nests until the interpreter's recursion gives out. Each
service that reads JSON from a caller reads it here, with its own depth limit, and answers a
``JsonRefusedError`` the way that service answers bad input (``MalformedDetail`` on the bus,
400 on the HTTP API, an ``error`` message on the Event API's WebSocket).
"""

from __future__ import annotations

import json
import sys
from typing import Any


class JsonRefusedError(ValueError):
    """The text is not JSON that AWS would read; the message says why."""


def nesting(text: str) -> int:
    """How deep the arrays and objects of ``text`` nest (strings are skipped), counted
    without parsing, so that a deep document is refused before it costs anything."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _no_constants(name: str) -> Any:
    raise JsonRefusedError(f"{name} is not a JSON number")


def _lone_surrogate(value: Any) -> bool:
    """Whether any string of ``value`` (keys too) holds a surrogate code point (iterative:
    a document may nest as deep as the limit allows)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if any(0xD800 <= ord(c) <= 0xDFFF for c in item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def decode(body: bytes) -> str:
    """``body`` as UTF-8 text; JsonRefusedError naming the first byte that is not UTF-8."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonRefusedError(
            f"the body is not UTF-8 (byte 0x{body[exc.start]:02x} at position {exc.start})"
        ) from exc


def loads(text: str | bytes, *, max_depth: int) -> Any:
    """The JSON value of ``text``, refusing what AWS refuses: bytes that are not UTF-8,
    ``NaN``/``Infinity``, lone surrogates and nesting deeper than ``max_depth``."""
    if isinstance(text, bytes):
        text = decode(text)
    depth = nesting(text)
    if depth > max_depth:
        raise JsonRefusedError(f"JSON nested {depth} levels deep; at most {max_depth} are read")
    if sys.getrecursionlimit() < max_depth + 200:
        # Python's decoder recurses once per level (3.11 stops short of 1000 levels): allow
        # the depth the service reads, never less than the interpreter already allows.
        sys.setrecursionlimit(max_depth + 200)
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except JsonRefusedError:
        raise
    except ValueError as exc:
        raise JsonRefusedError(f"not JSON: {exc}") from exc
    if _lone_surrogate(value):
        raise JsonRefusedError(
            "a string holds a lone surrogate (\\ud800-\\udfff), which is not text"
        )
    return value
