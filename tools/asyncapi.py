"""Write (or ``--check``) ``docs/asyncapi.json``: the platform's events as an AsyncAPI 3.1
document, generated, never typed; and ``docs/asyncapi.md``, the same document as a page.

- the Event API: each channel namespace (from the committed plan fixture, which
  ``tools/plan_fixture.py --check`` keeps equal to what Terraform plans), its publish and
  subscribe auth modes, which namespaces are durable (``HISTORY_NAMESPACES`` of the channel
  handler: delivered events carry ``seq`` and ``id``), and the payloads the channel handler
  takes and delivers (its pydantic models);
- the bus: each contract of ``handlers.contracts`` (source, detail-type, the detail's JSON
  Schema), as ``make schemas`` exports them.

The payload schemas are pydantic's, with their ``$defs`` inlined (AsyncAPI resolves a ``$ref``
against the whole document). ``tests/contracts/test_asyncapi.py`` validates the file with the
AsyncAPI parser (``@asyncapi/parser``, pinned in ``tests/contracts/asyncapi``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from pydantic import TypeAdapter  # noqa: E402

from handlers.channels.models import Answer, ChatMessage, DeliveredChatMessage  # noqa: E402
from handlers.common.answers import StoredAnswer  # noqa: E402
from handlers.contracts import CONTRACTS, ReportReady  # noqa: E402

sys.path.insert(0, str(ROOT / "tools"))
from asyncapi_page import render  # noqa: E402

FIXTURE = ROOT / "tests" / "unit" / "runtime" / "fixtures" / "local-plan.json"
OUT = ROOT / "docs" / "asyncapi.json"
PAGE = ROOT / "docs" / "asyncapi.md"  # the same document as a page of the docs site

SECURITY = {
    "API_KEY": {
        "type": "httpApiKey",
        "name": "x-api-key",
        "in": "header",
        "description": "The API's key (realtime_api_key), in the connection's and each "
        "operation's authorization header.",
    },
    "AWS_IAM": {
        "type": "http",
        "scheme": "AWS4-HMAC-SHA256",
        "description": "AWS Signature Version 4 (service appsync) of the request, with the "
        "caller's AWS credentials; the platform's services publish this way.",
    },
    "AMAZON_COGNITO_USER_POOLS": {
        "type": "httpApiKey",
        "name": "Authorization",
        "in": "header",
        "description": "An ID token of the platform's user pool (cognito_user_pool_id), as is, "
        "no 'Bearer' prefix.",
    },
}
DURABLE = {
    "seq": {"type": "integer", "minimum": 1, "description": "The channel's sequence number."},
    "id": {"type": "string", "description": "The event's id on its channel."},
}
PRESENCE = {
    "type": "object",
    "required": ["action", "channel", "member", "at"],
    "properties": {
        "action": {"enum": ["enter", "update", "leave"]},
        "channel": {"type": "string", "description": "The channel the member is on."},
        "member": {
            "type": "object",
            "required": ["id", "data"],
            "properties": {
                "id": {"type": "string"},
                "data": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "at": {"type": "integer", "description": "Epoch seconds."},
    },
}


def inline(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with each ``#/$defs/...`` reference replaced by its definition."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                merged = {**walk(defs[ref.removeprefix("#/$defs/")]), **walk(
                    {k: v for k, v in node.items() if k != "$ref"}
                )}  # fmt: skip
                return merged
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    result: dict[str, Any] = walk(schema)
    return result


def schema_of(model: Any) -> dict[str, Any]:
    """The model's JSON Schema, inlined; its description the docstring's first paragraph."""
    schema = inline(TypeAdapter(model).json_schema(by_alias=True))
    if "description" in schema:
        schema["description"] = " ".join(schema["description"].split("\n\n")[0].split())
    return schema


def durable(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        **schema,
        "properties": {**schema.get("properties", {}), **DURABLE},
        "required": [*schema.get("required", []), *DURABLE],
    }


def _plan() -> tuple[dict[str, Any], dict[str, Any]]:
    """(namespaces by name with their auth modes, durable namespaces) from the plan fixture."""
    plan = json.loads(FIXTURE.read_text())
    namespaces: dict[str, Any] = {}
    history: dict[str, Any] = {}
    for change in plan["resource_changes"]:
        after = change["change"]["after"] or {}
        if change["type"] == "aws_cloudformation_stack":
            template = json.loads(after["template_body"])
            resources = template["Resources"]
            config = next(
                r["Properties"]["EventConfig"]
                for r in resources.values()
                if r["Type"] == "AWS::AppSync::Api"
            )
            for resource in resources.values():
                if resource["Type"] != "AWS::AppSync::ChannelNamespace":
                    continue
                props = resource["Properties"]
                namespaces[props["Name"]] = {
                    "publish": [
                        m["AuthType"]
                        for m in props.get("PublishAuthModes") or config["DefaultPublishAuthModes"]
                    ],
                    "subscribe": [
                        m["AuthType"]
                        for m in props.get("SubscribeAuthModes")
                        or config["DefaultSubscribeAuthModes"]
                    ],
                }
        if change["type"] == "aws_lambda_function" and str(after.get("function_name")).endswith(
            "-channels"
        ):
            variables = after["environment"][0]["variables"]
            history = json.loads(variables.get("HISTORY_NAMESPACES") or "{}")
    return namespaces, history


NAMESPACES: dict[str, dict[str, Any]] = {
    "chat": {
        "address": "/chat/{room}",
        "parameters": {"room": "A chat room: 1-50 letters, digits or hyphens."},
        "about": "Chat rooms: anyone the API admits publishes and subscribes; personal data is "
        "masked in what subscribers receive, and the sender comes from the caller's identity.",
        "publish": ChatMessage,
        "delivered": DeliveredChatMessage,
    },
    "answers": {
        "address": "/answers/{userId}",
        "parameters": {"userId": "The user's id (their user pool sub)."},
        "about": "A user's answers, published by that user only; each is stored (the "
        "AnswerSubmitted.v1 flow starts from it) and echoed to the user's other devices.",
        "publish": Answer,
        "delivered": StoredAnswer,
    },
    "reports": {
        "address": "/reports/{userId}",
        "parameters": {"userId": "The user's id."},
        "about": "A user's security reports, published by the platform only; only that user "
        "may subscribe. The report id is the event's clientMessageId.",
        "publish": None,
        "delivered": ReportReady,
        "extra": {"clientMessageId": {"type": "string", "description": "The report's id."}},
    },
    "presence": {
        "address": "/presence/{channel}",
        "parameters": {
            "channel": "The path of the channel the announcements are about, without its "
            "leading slash (for example chat/answering)."
        },
        "about": "Who is on a channel: enter, update and leave announcements, published by the "
        "presence service only (members enter through the presence API).",
        "publish": None,
        "delivered": PRESENCE,
    },
}


def document() -> dict[str, Any]:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    namespaces, history = _plan()
    unknown = sorted(set(namespaces) - set(NAMESPACES))
    if unknown:
        raise SystemExit(f"asyncapi: namespaces {unknown} have no payloads described here")
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for name, modes in sorted(namespaces.items()):
        spec = NAMESPACES[name]
        delivered = spec["delivered"]
        payload = delivered if isinstance(delivered, dict) else schema_of(delivered)
        if "extra" in spec:
            payload = {**payload, "properties": {**payload["properties"], **spec["extra"]}}
        if name in history:
            payload = durable(payload)
        messages[f"{name}Delivered"] = {
            "name": f"{name}Delivered",
            "title": f"/{name}: what subscribers receive",
            "contentType": "application/json",
            "payload": payload,
        }
        channel_messages = {"delivered": {"$ref": f"#/components/messages/{name}Delivered"}}
        if spec["publish"] is not None:
            messages[f"{name}Published"] = {
                "name": f"{name}Published",
                "title": f"/{name}: what a client publishes",
                "contentType": "application/json",
                "payload": schema_of(spec["publish"]),
            }
            channel_messages["published"] = {"$ref": f"#/components/messages/{name}Published"}
        kept = (
            f" Durable: events carry seq and id, and {history[name]} days of them can be read "
            "back from the history API."
            if name in history
            else ""
        )
        channels[name] = {
            "address": spec["address"],
            "description": spec["about"] + kept,
            "servers": [{"$ref": "#/servers/realtime"}, {"$ref": "#/servers/publish"}],
            "parameters": {p: {"description": d} for p, d in spec["parameters"].items()},
            "messages": channel_messages,
        }
        operations[f"subscribe{name.title()}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{name}"},
            "summary": f"Subscribe to /{name} channels.",
            "security": [{"$ref": f"#/components/securitySchemes/{m}"} for m in modes["subscribe"]],
            "messages": [{"$ref": f"#/channels/{name}/messages/delivered"}],
        }
        if "published" in channel_messages:
            operations[f"publish{name.title()}"] = {
                "action": "send",
                "channel": {"$ref": f"#/channels/{name}"},
                "summary": f"Publish to a /{name} channel (at most 5 events a request).",
                "security": [
                    {"$ref": f"#/components/securitySchemes/{m}"} for m in modes["publish"]
                ],
                "messages": [{"$ref": f"#/channels/{name}/messages/published"}],
            }
    for name, contract in sorted(CONTRACTS.items()):
        key = f"bus{contract.detail_type.split('.')[0]}"
        messages[key] = {
            "name": contract.detail_type,
            "title": f"{contract.detail_type} from {contract.source}",
            "contentType": "application/json",
            "payload": inline(contract.detail_schema()),
        }
        channels[key] = {
            "address": contract.detail_type,
            "description": f"Events of detail-type {contract.detail_type}, source "
            f"{contract.source}, on the platform's bus (the detail shown; "
            f"schemas/{name}.json holds the same schema).",
            "servers": [{"$ref": "#/servers/bus"}],
            "messages": {"event": {"$ref": f"#/components/messages/{key}"}},
        }
        operations[f"receive{key[3:]}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{key}"},
            "summary": f"A rule on the bus matching source {contract.source} and detail-type "
            f"{contract.detail_type}.",
            "messages": [{"$ref": f"#/channels/{key}/messages/event"}],
        }
    used = sorted(
        {m for modes in namespaces.values() for m in modes["publish"] + modes["subscribe"]}
    )
    return {
        "asyncapi": "3.1.0",
        "info": {
            "title": "Serverless real-time event platform",
            "version": version,
            "description": "The platform's real-time channels (an AppSync Events API) and the "
            "events on its EventBridge bus. Generated by tools/asyncapi.py from the plan and "
            "the handlers' models.",
        },
        "servers": {
            "realtime": {
                "host": "{apiId}.appsync-realtime-api.{region}.amazonaws.com",
                "pathname": "/event/realtime",
                "protocol": "wss",
                "description": "Subscribe (and publish) over WebSocket, subprotocol "
                "aws-appsync-event-ws (the realtime_websocket_url output).",
                "variables": {"apiId": {}, "region": {"default": "eu-west-1"}},
            },
            "publish": {
                "host": "{apiId}.appsync-api.{region}.amazonaws.com",
                "pathname": "/event",
                "protocol": "https",
                "description": "Publish over HTTP: POST {channel, events} (the "
                "realtime_publish_url output).",
                "variables": {"apiId": {}, "region": {"default": "eu-west-1"}},
            },
            "bus": {
                "host": "events.{region}.amazonaws.com",
                "protocol": "https",
                "description": "The platform's EventBridge bus (the event_bus_name output); "
                "consumers add rules on it.",
                "variables": {"region": {"default": "eu-west-1"}},
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "securitySchemes": {m: SECURITY[m] for m in used},
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    args = parser.parse_args()
    contract = document()
    files = {OUT: json.dumps(contract, indent=2) + "\n", PAGE: render(contract)}
    if args.check:
        for path, text in files.items():
            if not path.is_file() or path.read_text() != text:
                sys.exit(f"{path.relative_to(ROOT)} is stale: run `python tools/asyncapi.py`")
        return 0
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"written: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
