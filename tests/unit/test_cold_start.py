"""What each handler module loads when a cold start imports it (`make bench` times it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HANDLERS = sorted(
    f"handlers.{p.parent.name}.handler"
    for p in (Path(__file__).resolve().parents[2] / "src" / "handlers").glob("*/handler.py")
)
# boto3 and botocore's session and clients: created on first use (a rejected event or a chat
# message never needs them); the X-Ray SDK: not used at all (traces come from Lambda active
# tracing). Powertools imports the bare ``botocore`` package (0.4 ms) to register its user
# agent, which is why that one is not listed.
NOT_AT_START = ("boto3", "botocore.session", "botocore.client", "aws_xray_sdk")


def loaded_at_start(module: str) -> dict[str, list[str]]:
    code = (
        f"import json, sys, {module}; "
        f"print(json.dumps({{'absent': sorted(m for m in {NOT_AT_START!r} if m in sys.modules),"
        f" 'deferred': sorted(n for n, m in sys.modules.items() if n.startswith('handlers.')"
        f" and 'dal' in n)}}))"
    )
    env = {**os.environ, "AWS_LAMBDA_FUNCTION_NAME": "cold-start-test"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    loaded: dict[str, list[str]] = json.loads(result.stdout)
    return loaded


def test_every_handler_is_checked() -> None:
    assert {"handlers.capture_order.handler", "handlers.channels.handler"} <= set(HANDLERS)


@pytest.mark.parametrize("module", HANDLERS)
def test_importing_a_handler_loads_no_aws_sdk_and_no_data_access_layer(module: str) -> None:
    loaded = loaded_at_start(module)
    assert loaded == {"absent": [], "deferred": []}
