"""Which planned route a request takes, as an HTTP API selects it.

API Gateway developer guide, "Create routes for HTTP APIs" ("Working with path variables",
"Routing API requests"): a route's path may hold path variables (``/pets/{petID}`` takes one
segment) and end in a greedy one (``/pets/{proxy+}`` takes every child path, one segment or
more, and must be the last); ``ANY`` matches every method a resource has no route of its own
for. A request takes, in this order of priority, a route that matches it fully (literal
segments and one-segment variables; of several, the one with the most literal segments), then
a route with a greedy path variable (of several, the longest), then ``$default``. The values
go to the integration as ``pathParameters``, URL-decoded ("API Gateway decodes URL-encoded
request parameters before passing them to your backend integration").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import unquote

T = TypeVar("T")
_VARIABLE = re.compile(r"^\{([A-Za-z0-9_.-]+)(\+?)\}$")


class RouteError(ValueError):
    """A route path API Gateway would not create (a greedy variable not at the end)."""


@dataclass(frozen=True)
class _Pattern:
    method: str
    segments: tuple[str, ...]  # literal segments, or "{name}"; a greedy variable not in here
    greedy: str | None  # the greedy variable's name

    @property
    def literals(self) -> int:
        return sum(not s.startswith("{") for s in self.segments)


def _pattern(method: str, path: str) -> _Pattern:
    segments = tuple(path.strip("/").split("/")) if path.strip("/") else ()
    greedy = None
    for n, segment in enumerate(segments):
        match = _VARIABLE.match(segment)
        if match and match[2]:
            if n != len(segments) - 1:
                raise RouteError(f"{method} {path}: a greedy path variable must end the path")
            greedy = match[1]
            segments = segments[:-1]
    return _Pattern(method, segments, greedy)


def _bind(pattern: _Pattern, parts: list[str]) -> dict[str, str] | None:
    if pattern.greedy is None and len(parts) != len(pattern.segments):
        return None
    if pattern.greedy is not None and len(parts) <= len(pattern.segments):
        return None
    values: dict[str, str] = {}
    for want, got in zip(pattern.segments, parts, strict=False):
        match = _VARIABLE.match(want)
        if match:
            if not got:
                return None
            values[match[1]] = unquote(got)
        elif want != got:
            return None
    if pattern.greedy is not None:
        rest = "/".join(parts[len(pattern.segments) :])
        if not rest:
            return None
        values[pattern.greedy] = unquote(rest)
    return values


@dataclass
class RouteTable(Generic[T]):
    """The routes of the plan's HTTP APIs; ``find`` is API Gateway's route selection."""

    _routes: list[tuple[_Pattern, T]] = field(default_factory=list)
    _default: T | None = None

    def add(self, route_key: str, value: T) -> None:
        if route_key == "$default":
            self._default = value
            return
        method, _, path = route_key.partition(" ")
        self._routes.append((_pattern(method, path), value))

    def find(self, method: str, path: str) -> tuple[T, dict[str, str]] | None:
        """The route ``method path`` takes and its path parameters; None: 404."""
        parts = path.strip("/").split("/") if path.strip("/") else []
        full: list[tuple[int, int, T, dict[str, str]]] = []
        greedy: list[tuple[int, int, T, dict[str, str]]] = []
        for pattern, value in self._routes:
            if pattern.method not in (method, "ANY"):
                continue
            values = _bind(pattern, parts)
            if values is None:
                continue
            exact_method = int(pattern.method == method)
            rank = (
                (pattern.literals, exact_method)
                if pattern.greedy is None
                else (len(pattern.segments), exact_method)
            )
            (full if pattern.greedy is None else greedy).append((*rank, value, values))
        for found in (full, greedy):
            if found:
                best = max(found, key=lambda f: (f[0], f[1]))
                return best[2], best[3]
        if self._default is not None:
            return self._default, {}
        return None
