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


def cold_start_of(module: str, code: str = "", **env: str) -> dict[str, object]:
    """Import ``module`` in a fresh interpreter, run ``code``, and say what the collector and
    ``importlib.metadata`` look like then (``env`` added to this process's environment)."""
    probe = (
        "import gc, json, sys\n"
        f"import {module}\n"
        "frozen = gc.get_freeze_count()\n"
        f"{code}\n"
        "metadata = sys.modules.get('importlib.metadata')\n"
        "print(json.dumps({'collector_on': gc.isenabled(), 'frozen': frozen,"
        " 'metadata_ran': metadata is not None and 'Distribution' in vars(metadata),"
        " 'plugins_off': __import__('os').environ.get('PYDANTIC_DISABLE_PLUGINS')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
        timeout=60,
    )
    seen: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return seen


@pytest.mark.parametrize("module", HANDLERS)
def test_in_a_function_the_import_runs_without_the_collector_and_freezes_what_it_made(
    module: str,
) -> None:
    seen = cold_start_of(module, AWS_LAMBDA_FUNCTION_NAME="cold-start-test")
    assert seen["collector_on"] is True  # every handler module ends with cold_start.imported()
    assert isinstance(seen["frozen"], int)
    assert seen["frozen"] > 10_000
    assert seen["metadata_ran"] is False
    assert seen["plugins_off"] == "__all__"


def test_outside_a_function_importing_the_handlers_changes_nothing() -> None:
    env = {k: v for k, v in os.environ.items() if k != "AWS_LAMBDA_FUNCTION_NAME"}
    probe = (
        "import gc, json, os, sys\n"
        "import handlers.contracts\n"
        "print(json.dumps([gc.isenabled(), gc.get_freeze_count(),"
        " os.environ.get('PYDANTIC_DISABLE_PLUGINS'),"
        " 'Distribution' in vars(sys.modules['importlib.metadata'])]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    )
    # the collector on, nothing frozen, plugins looked up, importlib.metadata run as imported
    assert json.loads(result.stdout) == [True, 0, None, True]


CHAT_PUBLISH = (
    "import json\n"
    "from pathlib import Path\n"
    "from handlers.channels.handler import lambda_handler\n"
    "event = json.loads(Path('tests/events/appsync_events_publish.json').read_text())\n"
    "event['events'] = [{'id': 'a', 'payload': {'text': ' hello '}}]\n"
    "context = type('C', (), {'function_name': 'f', 'memory_limit_in_mb': 256,"
    " 'invoked_function_arn': 'arn:aws:lambda:eu-west-1:123456789012:function:f',"
    " 'aws_request_id': 'r'})()\n"
    "answer = lambda_handler(event, context)\n"
    "assert answer['events'][0]['payload']['text'] == 'hello', answer\n"
)


def test_a_first_chat_publish_builds_its_model_without_reading_any_distribution() -> None:
    seen = cold_start_of(
        "handlers.channels.handler",
        CHAT_PUBLISH,
        AWS_LAMBDA_FUNCTION_NAME="cold-start-test",
        ANSWERS_TABLE_NAME="answers-test",
    )
    assert seen["metadata_ran"] is False
    assert seen["collector_on"] is True


def test_a_function_that_asks_for_pydantic_plugins_still_gets_them_looked_up() -> None:
    # PYDANTIC_DISABLE_PLUGINS set to "" in the function's environment: pydantic calls
    # importlib.metadata.entry_points, which runs the deferred module there and then.
    seen = cold_start_of(
        "handlers.channels.handler",
        CHAT_PUBLISH,
        AWS_LAMBDA_FUNCTION_NAME="cold-start-test",
        ANSWERS_TABLE_NAME="answers-test",
        PYDANTIC_DISABLE_PLUGINS="",
    )
    assert seen["plugins_off"] == ""
    assert seen["metadata_ran"] is True
