"""What a target receives: the event, a constant (``input``), a part of the event
(``input_path``) or a template filled from it (``input_transformer``).

Follows the user guide's "Transforming target input" page and PutTargets' model (botocore's
``events`` service: ``InputTransformerPathKey`` ``[A-Za-z0-9_-]+`` of at most 256 characters,
``InputPathsMap`` of at most 100, ``InputTemplate`` of 1 to 8192 characters, ``Input`` and
``InputPath`` of at most 8192 and 256):

- variables are JSON paths into the event (``$.detail.state``, ``$.resources[0]``); the
  predefined ``aws.events.rule-arn``, ``aws.events.rule-name``, ``aws.events.event`` (the event),
  ``aws.events.event.ingestion-time`` and ``aws.events.event.json`` (the event as a string)
  are reserved names;
- ``<name>`` in the template is replaced by the variable's value: inside a JSON string as the
  raw text, unescaped ("EventBridge doesn't escape values extracted by Input Path"), elsewhere
  as JSON (a string with its quotes, an object, a number);
- the result, when it is JSON, is passed on minified; otherwise as text (a string template).

Not documented, so the runtime's choice (README, "What differs"): a variable whose path is not
in the event becomes ``null`` outside quotes and nothing inside them (the guide says only that
it "isn't created and won't appear in the output").
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from local_runtime.plan.errors import UnsupportedError
from local_runtime.plan.models import RuleSpec, TargetSpec

RESERVED = (
    "aws.events.rule-arn",
    "aws.events.rule-name",
    "aws.events.event",
    "aws.events.event.ingestion-time",
    "aws.events.event.json",
)
_KEY = re.compile(r"[A-Za-z0-9_\-]{1,256}")
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")
_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")
_MISSING = object()


def json_path(document: Any, path: str) -> Any:
    """The value at a JSON path (``$``, ``$.a.b``, ``$.a[0]``, ``$['a b']``); _MISSING when
    the event has nothing there. ValueError for a path of another form."""
    if not path.startswith("$"):
        raise ValueError(f"{path!r} is not a JSON path (it must start with $)")
    value = document
    position = 1
    while position < len(path):
        step = _STEP.match(path, position)
        if step is None:
            raise ValueError(f"{path!r} is not a JSON path the runtime reads (at {position})")
        key, index, quoted, double = step.groups()
        name = key if key is not None else quoted if quoted is not None else double
        if index is not None:
            value = (
                value[int(index)]
                if isinstance(value, list) and int(index) < len(value)
                else _MISSING
            )
        elif isinstance(value, dict) and name in value:
            value = value[name]
        else:
            value = _MISSING
        if value is _MISSING:
            return _MISSING
        position = step.end()
    return value


def check_target_input(target: TargetSpec) -> None:
    """Refuse, at start, what PutTargets refuses: UnsupportedError naming the target."""
    problems = []
    if target.input is not None and len(target.input) > 8192:
        problems.append("input is longer than 8192 characters")
    if target.input_path is not None:
        problems.extend(_path_problems("input_path", target.input_path))
    transformer = target.input_transformer
    if transformer is not None:
        if not 1 <= len(transformer.input_template) <= 8192:
            problems.append("input_template must have 1 to 8192 characters")
        for name, path in transformer.input_paths.items():
            if name in RESERVED:
                problems.append(f"input_paths: {name} is a reserved variable name")
            elif not _KEY.fullmatch(name):
                problems.append(f"input_paths: {name!r} must match [A-Za-z0-9_-]+")
            problems.extend(_path_problems(f"input_paths.{name}", path))
        if len(transformer.input_paths) > 100:
            problems.append("input_paths holds more than 100 variables")
    if problems:
        raise UnsupportedError(f"{target.address}: {'; '.join(problems)} (PutTargets refuses it)")


def target_input(target: TargetSpec, rule: RuleSpec, event: dict[str, Any]) -> str:
    """The text the target receives for ``event`` (JSON, unless a string template made
    text). An ``input_path`` the event does not have gives ``null`` (the runtime's choice)."""
    if target.input is not None:
        return target.input
    if target.input_path:
        value = json_path(event, target.input_path)
        return json.dumps(None if value is _MISSING else value, separators=(",", ":"))
    transformer = target.input_transformer
    if transformer is not None:
        return render(
            transformer.input_template,
            transformer.input_paths,
            event,
            rule_arn=rule.arn,
            rule_name=rule.name,
        )
    return json.dumps(event)


def _path_problems(what: str, path: str) -> list[str]:
    if len(path) > 256:
        return [f"{what} is longer than 256 characters"]
    try:
        json_path({}, path)
    except ValueError as exc:
        return [f"{what}: {exc}"]
    return []


def render(
    template: str,
    paths: dict[str, str],
    event: dict[str, Any],
    *,
    rule_arn: str,
    rule_name: str,
    ingested: datetime | None = None,
) -> str:
    """The template filled from ``event``, minified when the result is JSON."""
    values: dict[str, Any] = {name: json_path(event, path) for name, path in paths.items()}
    values.update(
        {
            "aws.events.rule-arn": rule_arn,
            "aws.events.rule-name": rule_name,
            "aws.events.event": event,
            "aws.events.event.ingestion-time": (ingested or datetime.now(UTC)).strftime(
                "%Y-%m-%dT%H:%M:%S.%f"
            )[:-3]
            + "Z",
            "aws.events.event.json": json.dumps(event, separators=(",", ":")),
        }
    )
    pieces: list[str] = []
    quoted = False
    position = 0
    for index, char in enumerate(template):
        if index < position:
            continue
        if char == '"' and not _escaped(template, index):
            quoted = not quoted
        if char == "<":
            found = _PLACEHOLDER.match(template, index)
            if found and found[1] in values:
                pieces.append(_text(values[found[1]], quoted))
                position = found.end()
                continue
        pieces.append(char)
    text = "".join(pieces)
    try:
        return json.dumps(json.loads(text), separators=(",", ":"))
    except ValueError:
        return text


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and text[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _text(value: Any, quoted: bool) -> str:
    if value is _MISSING:
        return "" if quoted else "null"
    if quoted and isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))
