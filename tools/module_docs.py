"""Keep the Inputs/Outputs tables of each module README in sync with the code.

python tools/module_docs.py          # rewrite the tables between the markers
python tools/module_docs.py --check  # fail if a README is stale
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"
BLOCK = re.compile(r'^(variable|output) "([^"]+)" \{\n(.*?)^\}', re.M | re.S)


def _attr(body: str, name: str) -> str | None:
    match = re.search(rf"^  {name}\s*=\s*(.+)$", body, re.M)
    return match.group(1).strip() if match else None


def _description(body: str) -> str:
    raw = _attr(body, "description") or '""'
    heredoc = re.fullmatch(r"<<-?(\w+)", raw)
    if heredoc:
        match = re.search(
            rf"^  description\s*=\s*<<-?{heredoc.group(1)}\n(.*?)^\s*{heredoc.group(1)}$",
            body,
            re.M | re.S,
        )
        raw = " ".join(match.group(1).split()) if match else ""
    else:
        raw = raw.strip('"').replace('\\"', '"')
    return raw.replace("|", "\\|")


def _type(body: str) -> str:
    raw = _attr(body, "type") or "any"
    if raw.count("(") > raw.count(")"):  # a multi-line object type: name its outer shape
        outer = raw.rstrip("{").rstrip("(")
        return outer + "(...)" + ")" * (outer.count("(") - outer.count(")"))
    return raw


def tables(module: Path) -> str:
    lines = ["## Inputs", "", "| Name | Description | Type | Required |", "|---|---|---|---|"]
    for _kind, name, body in BLOCK.findall((module / "variables.tf").read_text()):
        required = "yes" if _attr(body, "default") is None else "no"
        lines.append(f"| `{name}` | {_description(body)} | `{_type(body)}` | {required} |")
    lines += ["", "## Outputs", "", "| Name | Description |", "|---|---|"]
    for _kind, name, body in BLOCK.findall((module / "outputs.tf").read_text()):
        lines.append(f"| `{name}` | {_description(body)} |")
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
