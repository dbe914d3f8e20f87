"""Turning pydantic validation errors into messages that name the field."""

from __future__ import annotations

from pydantic import ValidationError


def describe_validation_error(exc: ValidationError, prefix: str = "") -> list[str]:
    """One line per problem, each starting with the dotted path of the offending field."""
    lines = []
    for err in exc.errors(include_url=False):
        path = ".".join(str(part) for part in err["loc"])
        where = f"{prefix}.{path}" if prefix and path else (prefix or path or "<root>")
        lines.append(f"{where}: {err['msg']}")
    return lines
