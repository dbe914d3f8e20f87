"""The AsyncAPI document as a Markdown page (``docs/asyncapi.md``) for the docs site: servers,
then each channel with its operations (who may use them) and its messages' payloads.

Written by ``tools/asyncapi.py`` beside the JSON, from the same document, so the page cannot
say other than the contract. (AsyncAPI's own HTML template needs the AsyncAPI generator and a
React build, about 300 npm packages, for one page; this is 100 lines and shows the same.)
"""

from __future__ import annotations

import json
from typing import Any


def _resolve(document: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref`` (``#/a/b/c``) inside the document."""
    node: Any = document
    for part in ref["$ref"].removeprefix("#/").split("/"):
        node = node[part]
    if "$ref" in node:
        return _resolve(document, node)
    return dict(node)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _security(document: dict[str, Any], operation: dict[str, Any]) -> str:
    names = [ref["$ref"].rsplit("/", 1)[-1] for ref in operation.get("security", [])]
    return ", ".join(f"`{name}`" for name in names) or "none"


def _fields(payload: dict[str, Any]) -> list[str]:
    """One row a top-level field: name, required, type, description."""
    required = set(payload.get("required", []))
    rows = []
    for name, spec in payload.get("properties", {}).items():
        kinds = [s.get("type", "object") for s in spec.get("anyOf", [spec])]
        kind = " or ".join(str(k) for k in kinds)
        about = spec.get("description", "")
        mark = "yes" if name in required else ""
        rows.append(f"| `{name}` | {mark} | {_cell(kind)} | {_cell(about)} |")
    return rows


def render(document: dict[str, Any]) -> str:
    """The page: plain Markdown that any renderer (the docs site, a code host) shows."""
    info = document["info"]
    lines = [
        "# Event contracts (AsyncAPI)",
        "",
        f"{info['description']} AsyncAPI {document['asyncapi']}, version {info['version']}: "
        "the machine-readable document is [asyncapi.json](asyncapi.json) "
        "(`make schemas` writes both; a test fails when either differs from its source).",
        "",
        "## Servers",
        "",
        "| Server | Protocol | Host | What for |",
        "|---|---|---|---|",
    ]
    for name, server in document["servers"].items():
        host = server["host"] + server.get("pathname", "")
        lines.append(
            f"| `{name}` | {server['protocol']} | `{host}` | {_cell(server['description'])} |"
        )
    lines += ["", "## Auth modes", ""]
    for name, scheme in document["components"]["securitySchemes"].items():
        lines.append(f"- `{name}`: {scheme['description']}")
    operations: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for op_name, operation in document["operations"].items():
        channel = operation["channel"]["$ref"].rsplit("/", 1)[-1]
        operations.setdefault(channel, []).append((op_name, operation))
    for name, channel in document["channels"].items():
        lines += ["", f"## `{channel['address']}`", "", channel["description"], ""]
        for op_name, operation in operations.get(name, []):
            lines.append(
                f"- **{operation['action']}** (`{op_name}`): {operation['summary']} "
                f"Auth: {_security(document, operation)}."
            )
        for message_ref in channel["messages"].values():
            message = _resolve(document, message_ref)
            payload = message["payload"]
            lines += ["", f"### {message['title']}", ""]
            if payload.get("description"):
                lines += [payload["description"], ""]
            rows = _fields(payload)
            if rows:
                lines += ["| Field | Required | Type | About |", "|---|---|---|---|", *rows, ""]
            lines += [
                "<details markdown><summary>JSON Schema</summary>",
                "",
                "```json",
                *json.dumps(payload, indent=2).splitlines(),
                "```",
                "",
                "</details>",
            ]
    return "\n".join(lines) + "\n"
