"""Reading ``terraform show -json``: one planned resource at a time, its known values, and where
they are unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from local_runtime.plan.errors import UnresolvedValueError

ARN_NAME = re.compile(r"^arn:[^:]+:(?P<service>[^:]+):[^:]*:[^:]*:(?P<resource>.+)$")


def substitute(value: Any, replacements: Mapping[str, str]) -> Any:
    """``value`` with every placeholder replaced, in nested lists and dicts too."""
    if isinstance(value, str):
        for old, new in replacements.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [substitute(v, replacements) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, replacements) for k, v in value.items()}
    return value


class Change:
    """One planned resource: its known values, and where they are unknown."""

    def __init__(self, raw: dict[str, Any], replacements: Mapping[str, str]) -> None:
        self.address: str = raw["address"]
        self.type: str = raw["type"]
        change = raw["change"]
        self.after: dict[str, Any] = substitute(change.get("after") or {}, replacements)
        self.unknown: dict[str, Any] = change.get("after_unknown") or {}

    def get(self, *path: str | int, required: bool = True) -> Any:
        """The value at ``path``; UnresolvedValueError when the plan does not know it."""
        value: Any = self.after
        unknown: Any = self.unknown
        for step in path:
            if unknown is True:
                break
            unknown = (
                unknown.get(step)
                if isinstance(unknown, dict)
                else unknown[step]
                if isinstance(unknown, list) and isinstance(step, int) and step < len(unknown)
                else None
            )
            if isinstance(value, dict):
                value = value.get(step)
            elif isinstance(value, list) and isinstance(step, int) and step < len(value):
                value = value[step]
            else:
                value = None
        inner = _unknown_within(unknown)
        if inner is not None:
            raise UnresolvedValueError(self.address, _dotted((*path, *inner)))
        if isinstance(value, str) and "localcfn" in value:
            raise UnresolvedValueError(self.address, _dotted(path))
        if value is None and required:
            raise UnresolvedValueError(self.address, _dotted(path), "not set")
        return value

    def first(self, *path: str | int) -> Any:
        """The first element of a nested block list (``retry_policy[0]``) with the values the
        plan knows, or None when the block is absent; read what matters from it with get()."""
        value: Any = self.after
        for step in path:
            value = value.get(step) if isinstance(value, dict) else None
        return value[0] if isinstance(value, list) and value else None


def _unknown_within(unknown: Any) -> tuple[str | int, ...] | None:
    """The path of the first unknown value inside ``unknown`` (``after_unknown``), () when it
    is unknown as a whole, None when all of it is known."""
    if unknown is True:
        return ()
    items: Any = unknown.items() if isinstance(unknown, dict) else enumerate(unknown or [])
    if not isinstance(unknown, dict | list):
        return None
    for key, value in items:
        inner = _unknown_within(value)
        if inner is not None:
            return (key, *inner)
    return None


def _dotted(path: tuple[str | int, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def name_from_arn(arn: str, address: str, attribute: str, service: str) -> str:
    """The resource name at the end of a local ARN of ``service``."""
    match = ARN_NAME.match(arn)
    if not match or match["service"] != service:
        raise UnresolvedValueError(address, attribute, f"not a local {service} ARN ({arn!r})")
    resource = match["resource"]
    if service == "lambda":
        return resource.split(":")[1]
    if service == "dynamodb":
        return resource.split("/")[1]
    if service == "events":
        return resource.rsplit("/", 1)[-1]
    return resource


class Plan:
    """``terraform show -json`` of a plan, read once: the managed resources it creates or
    keeps (never those it deletes), by type, its variables and its output changes. Every
    reader of the plan reads it through this."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.resources: list[dict[str, Any]] = [
            r
            for r in raw.get("resource_changes", [])
            if r.get("mode") == "managed" and "delete" not in r["change"].get("actions", [])
        ]
        self.by_type: dict[str, list[dict[str, Any]]] = {}
        for resource in self.resources:
            self.by_type.setdefault(resource["type"], []).append(resource)

    @property
    def region(self) -> str:
        """The root's ``region`` variable (the provider's region)."""
        value = ((self.raw.get("variables") or {}).get("region") or {}).get("value")
        if not isinstance(value, str):
            raise UnresolvedValueError("var.region", "value", "not set in the plan")
        return value

    def of_type(self, rtype: str) -> list[dict[str, Any]]:
        """The raw resource changes of ``rtype`` (managed, not deleted)."""
        return self.by_type.get(rtype, [])

    def changes(self, replacements: Mapping[str, str]) -> Iterator[Change]:
        """Every resource, with ``replacements`` applied to its values."""
        for raw in self.resources:
            yield Change(raw, replacements)

    @property
    def output_changes(self) -> dict[str, Any]:
        changes: dict[str, Any] = self.raw.get("output_changes") or {}
        return changes
