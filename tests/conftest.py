"""Shared fixtures: environment safe for AWS SDKs, event loading, a Lambda context."""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
EVENTS = Path(__file__).resolve().parent / "events"

# Handler modules build their Logger and Metrics at import time (no Tracer: traces come from
# Lambda's active tracing, see handlers/__init__.py), so Powertools' settings must be in the
# environment before any test module imports them.
POWERTOOLS_ENV = {
    "POWERTOOLS_SERVICE_NAME": "platform-tests",
    "POWERTOOLS_METRICS_NAMESPACE": "PlatformTests",
}
os.environ.update(POWERTOOLS_ENV)


def pytest_configure(config: pytest.Config) -> None:
    """`make test` runs three suites at a time on two cores: every suite but the local one
    yields the CPU (``TEST_NICENESS``, set by tox.ini), so the local suite, the longest, is
    never the one kept waiting, and the run ends when it does. What a suite starts, terraform
    and its provider among them, inherits it."""
    niceness = int(os.environ.get("TEST_NICENESS", "0"))
    if niceness > 0:
        os.nice(niceness)


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach a real account: fake credentials, a fixed region."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    for name, value in POWERTOOLS_ENV.items():
        monkeypatch.setenv(name, value)


def load_event(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return copy.deepcopy(data)


@dataclass
class FakeLambdaContext:
    function_name: str = "platform-test"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:platform-test"
    aws_request_id: str = "52fdfc07-2182-154f-163f-5f0f9a621d72"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


@pytest.fixture
def upload_event() -> dict[str, Any]:
    return load_event("upload_received")
