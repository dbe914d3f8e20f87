"""Export the event contracts for Terraform and as JSON Schema (``make schemas``).

``terraform/contracts.json`` holds each contract's source, detail-type and routing pattern,
so rule patterns in HCL come from the Python models instead of being typed twice, and the
whole event as JSON Schema Draft 4 (``event_schema``), the format EventBridge's schema registry
takes (``terraform/schemas.tf`` registers it, so consumers in AWS can download code bindings).
``schemas/<name>.json`` holds the JSON Schema of each detail model.
``schemas/questionnaires.json`` holds the security service's questionnaires (questions,
choices, weights) as the web app shows them (``web/`` imports it; never retyped there).
``--check`` fails when the committed files differ from what the models give.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from handlers.contracts import CONTRACTS  # noqa: E402
from handlers.security.rules import QUESTIONNAIRES  # noqa: E402

DRAFT4 = "http://json-schema.org/draft-04/schema#"


def draft4(node: Any) -> Any:
    """A pydantic (2020-12) schema in Draft 4's words: ``$defs`` -> ``definitions`` (and the
    references to them), ``$id`` -> ``id``. The contracts use no other keyword Draft 4 lacks
    (``const``, numeric ``exclusiveMinimum``): ``tests/unit/test_contracts_export.py`` checks."""
    if isinstance(node, dict):
        renamed = {"$defs": "definitions", "$id": "id"}
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                out[key] = value.replace("#/$defs/", "#/definitions/")
            else:
                out[renamed.get(key, key)] = draft4(value)
        return out
    if isinstance(node, list):
        return [draft4(v) for v in node]
    return node


def event_schema(contract: Any) -> dict[str, Any]:
    """The whole event a rule's target receives, with the contract's detail, in Draft 4."""
    detail = contract.detail_schema()
    definitions = detail.pop("$defs", {})
    name = contract.detail_type.split(".")[0]
    detail.pop("x-resources", None)
    schema: dict[str, Any] = draft4(
        {
            "$schema": DRAFT4,
            "title": f"{contract.detail_type} ({contract.source})",
            "type": "object",
            "required": [
                "version", "id", "detail-type", "source", "account", "time", "region",
                "resources", "detail",
            ],
            "properties": {
                "version": {"type": "string"},
                "id": {"type": "string"},
                "detail-type": {"type": "string", "enum": [contract.detail_type]},
                "source": {"type": "string", "enum": [contract.source]},
                "account": {"type": "string"},
                "time": {"type": "string", "format": "date-time"},
                "region": {"type": "string"},
                "resources": {"type": "array", "items": {"type": "string"}},
                "detail": {"$ref": f"#/$defs/{name}"},
            },
            "$defs": {**definitions, name: detail},
        }
    )  # fmt: skip
    return schema


def rendered() -> dict[Path, str]:
    files: dict[Path, str] = {}
    terraform = {
        name: {
            "source": contract.source,
            "detail_type": contract.detail_type,
            "pattern": contract.pattern(),
            "event_schema": event_schema(contract),
        }
        for name, contract in sorted(CONTRACTS.items())
    }
    files[ROOT / "terraform" / "contracts.json"] = json.dumps(terraform, indent=2) + "\n"
    for name, contract in sorted(CONTRACTS.items()):
        schema = contract.detail_schema()
        schema["$id"] = f"urn:platform:events:{contract.source}:{contract.detail_type}"
        schema["x-source"] = contract.source
        schema["x-detail-type"] = contract.detail_type
        files[ROOT / "schemas" / f"{name}.json"] = json.dumps(schema, indent=2) + "\n"
    questionnaires = [q.export() for _, q in sorted(QUESTIONNAIRES.items())]
    files[ROOT / "schemas" / "questionnaires.json"] = json.dumps(questionnaires, indent=2) + "\n"
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if committed files are stale")
    args = parser.parse_args(argv)
    stale = []
    for path, text in rendered().items():
        current = path.read_text() if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(str(path.relative_to(ROOT)))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print("stale contract exports (run `make schemas`): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
