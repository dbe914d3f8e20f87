"""What ``make local`` tells its user: ``dist/local/outputs.json`` in the shape of ``terraform
output -json`` (the root's outputs, resolved to the local endpoints, plus the local AWS
endpoint and credentials, the CA, the control API and the local users), and the table it
prints when it is ready."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from local_runtime.console import Console
from local_runtime.faults import Faults


def write_outputs(
    path: Path,
    planned: dict[str, dict[str, Any]],
    extras: dict[str, str],
    local_users: list[dict[str, str]],
) -> dict[str, dict[str, Any]]:
    """Write and return the outputs: the plan's, ``extras`` (strings; the secret key is
    marked sensitive) and the local users (sensitive)."""
    outputs = dict(planned)
    for name, value in extras.items():
        outputs[name] = {
            "value": value,
            "type": "string",
            "sensitive": name == "aws_secret_access_key",
        }
    if local_users:
        outputs["local_users"] = {
            "value": local_users,
            "type": ["tuple", [["object", dict.fromkeys(u, "string")] for u in local_users]],
            "sensitive": True,
        }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(outputs, indent=2) + "\n")
    return outputs


def print_ready(
    console: Console,
    outputs: dict[str, dict[str, Any]],
    local_users: list[dict[str, str]],
    faults: Faults,
    *,
    seconds: float,
    path: Path,
) -> None:
    """The endpoints, how to sign in, and ``ready in ...`` (what the tests wait for)."""
    rows = [(k, v["value"]) for k, v in outputs.items() if isinstance(v["value"], str)]
    width = max(len(k) for k, _ in rows)
    console.line("")
    for key, value in sorted(rows):
        shown = "(in outputs.json)" if outputs[key]["sensitive"] else value
        console.line(f"  {key:<{width}}  {shown}")
    web_url = (outputs.get("web_url") or {}).get("value")
    if web_url:
        console.line("")
        console.line(f"  Open {web_url} and sign in as:", "bold")
    for user in local_users:
        # A throwaway user of a throwaway pool on 127.0.0.1: printing it is the walkthrough.
        console.line(
            f"  local user: {user['username']}  password: {user['password']}  "
            f"(user id {user['user_id']})"
        )
    if local_users:
        console.line(
            "  its tokens: aws --endpoint-url <aws_endpoint_url> cognito-idp initiate-auth "
            "--auth-flow USER_PASSWORD_AUTH --client-id <cognito_user_pool_client_id> "
            "--auth-parameters USERNAME=<username>,PASSWORD=<password>"
        )
    console.line("")
    if faults.active:
        rates = ", ".join(f"{k} {v:.0%}" for k, v in faults.rates.items() if v)
        console.line(f"  fault injection is ON: {rates}", "warn")
    console.step(f"ready in {seconds:.1f} s: {path} (Ctrl-C stops everything)")
