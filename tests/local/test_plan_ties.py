"""Every function of the plan is tied to its code: its handler string imports, and its planned
environment (resolved by the local runtime) validates against that handler's Settings model.
Environment names are written once in Terraform and once as aliases in Python; this is where
the two must agree."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest

from handlers.common.settings import EnvSettings, load_settings
from tests.local.platform import LocalPlatform

pytestmark = pytest.mark.local


def test_every_planned_function_imports_and_its_environment_fits_its_settings(
    platform: LocalPlatform,
) -> None:
    functions: dict[str, Any] = platform.status()["functions"]
    assert len(functions) == 12, sorted(functions)
    checked = []
    for name, function in sorted(functions.items()):
        module_name, _, attribute = function["handler"].rpartition(".")
        module = importlib.import_module(module_name)
        assert callable(getattr(module, attribute)), f"{name}: {function['handler']}"
        package = module_name.rpartition(".")[0]
        settings_module = importlib.import_module(f"{package}.settings")
        model = settings_module.Settings
        assert issubclass(model, EnvSettings), name
        # What Lambda itself sets in every function's environment (reserved variables).
        runtime = {"AWS_REGION": platform.outputs["aws_region"], "AWS_LAMBDA_FUNCTION_NAME": name}
        settings = load_settings(model, {**runtime, **function["environment"]})
        # Every field the model needs came from the plan (or from Lambda), not a default.
        aliases = {f.alias for f in model.model_fields.values() if f.is_required()}
        assert aliases <= set(function["environment"]) | set(runtime), (name, aliases)
        checked.append((name, type(settings).__name__))
    assert len(checked) == 12
    # Durable channels: optional in the settings (history can be off), set by the plan here.
    for name in ("platform-local-channels", "platform-local-channel-history"):
        env = functions[name]["environment"]
        assert env["HISTORY_TABLE_NAME"] == "platform-local-channel-history", name
        assert json.loads(env["HISTORY_NAMESPACES"]) == {
            "chat": 7,
            "reports": 7,
            "presence": 1,  # a channel's presence is durable for a day
        }, name
    presence = functions["platform-local-presence"]["environment"]
    assert json.loads(presence["PRESENCE_NAMESPACES"]) == {"chat": 30}
    assert presence["PRESENCE_TABLE_NAME"] == "platform-local-presence"


ASYNC_CONSUMERS = ("capture-order", "notify", "answers-stream", "security", "report-delivery")


def test_every_async_consumer_has_the_poison_queue_and_notify_no_webhook_url(
    platform: LocalPlatform,
) -> None:
    functions: dict[str, Any] = platform.status()["functions"]
    poison = platform.outputs["poison_queue_url"]
    for short in ASYNC_CONSUMERS:
        env = functions[f"platform-local-{short}"]["environment"]
        assert env["POISON_QUEUE_URL"] == poison, short
    notify = dict(functions["platform-local-notify"]["environment"])
    assert notify.pop("POISON_QUEUE_URL").startswith("http")
    assert notify["WEBHOOK_URL_STORE"] == "ssm"
    assert notify["WEBHOOK_URL_NAME"].startswith("/")
    assert not any(v.startswith("http") for v in notify.values()), "no URL in plain env"
