"""Keep the Inputs/Outputs tables of each module README in sync with the code.

python tools/module_docs.py          # rewrite the tables between the markers
python tools/module_docs.py --check  # fail if a README is stale

The module's variables.tf and outputs.tf are read with python-hcl2 (a real HCL parser), so a
table shows each input's type, default and whether it is required exactly as Terraform sees
them. ``blocks()`` is also what the shape test of the modules reads.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"
_HEREDOC = re.compile(r"^<<-?(\w+)\n(.*)\n\s*\1$", re.S)


@dataclass(frozen=True)
class Block:
    """One variable or output of a module, as its README lists it."""

    name: str
    description: str
    type: str | None
    required: bool
    default: str | None
    validations: int


def _text(raw: Any) -> str:
    """A string as python-hcl2 gives it (quoted, or a heredoc) as plain text."""
    value = str(raw)
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1].replace('\\"', '"')
    heredoc = _HEREDOC.match(value)
    if heredoc:
        value = " ".join(heredoc.group(2).split())
    return value


def _expression(raw: str) -> str:
    return raw[2:-1] if raw.startswith("${") and raw.endswith("}") else raw


def _type(raw: Any) -> str:
    """The type, with a long object type shown by its outer shape: map(object(...))."""
    text = _expression(str(raw))
    if "({" in text:
        outer = text[: text.index("({")]
        return outer + "(...)" + ")" * outer.count("(")
    return text


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return _expression(_text(value))
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {_text(k): _plain(v) for k, v in value.items() if k != "__is_block__"}
    return value


def _default(body: dict[str, Any]) -> str | None:
    if "default" not in body:
        return None
    value = _plain(body["default"])
    if isinstance(value, str) and body["default"] != value and str(body["default"]).startswith('"'):
        return json.dumps(value)  # a string literal keeps its quotes
    return json.dumps(value) if not isinstance(value, str) else value


def blocks(path: Path, kind: str) -> list[Block]:
    """Every ``variable`` or ``output`` block of a file, in file order."""
    with path.open() as handle:
        parsed = hcl2.load(handle)
    found = []
    for entry in parsed.get(kind, []):
        for raw_name, body in entry.items():
            found.append(
                Block(
                    name=_text(raw_name),
                    description=_text(body.get("description", "")),
                    type=_type(body["type"]) if "type" in body else None,
                    required=kind == "variable" and "default" not in body,
                    default=_default(body),
                    validations=len(body.get("validation", [])),
                )
            )
    return found


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def tables(module: Path) -> str:
    lines = [
        "## Inputs",
        "",
        "| Name | Description | Type | Default | Required |",
        "|---|---|---|---|---|",
    ]
    for block in blocks(module / "variables.tf", "variable"):
        default = "n/a" if block.default is None else f"`{_cell(block.default)}`"
        required = "yes" if block.required else "no"
        lines.append(
            f"| `{block.name}` | {_cell(block.description)} | `{_cell(block.type or 'any')}` "
            f"| {default} | {required} |"
        )
    lines += ["", "## Outputs", "", "| Name | Description |", "|---|---|"]
    for block in blocks(module / "outputs.tf", "output"):
        lines.append(f"| `{block.name}` | {_cell(block.description)} |")
    return "\n".join([BEGIN, *lines, END])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    stale = []
    for module in sorted(p for p in (ROOT / "modules").iterdir() if p.is_dir()):
        readme = module / "README.md"
        text = readme.read_text()
        if BEGIN not in text or END not in text:
            stale.append(f"{readme.relative_to(ROOT)} (no {BEGIN} ... {END} markers)")
            continue
        start, stop = text.index(BEGIN), text.index(END) + len(END)
        updated = text[:start] + tables(module) + text[stop:]
        if updated != text:
            if args.check:
                stale.append(str(readme.relative_to(ROOT)))
            else:
                readme.write_text(updated)
                print(f"wrote {readme.relative_to(ROOT)}")
    if stale:
        print("stale module docs (run `make docs`): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
