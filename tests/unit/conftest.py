"""Unit-test fixtures: Powertools metric buffers and the handlers' cached clients cleared,
EMF output readable."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools import Metrics

from handlers.answers_stream import settings as answers_stream_settings
from handlers.capture_order import handler as capture_order
from handlers.channels import handler as channels
from handlers.common import bus, clients
from handlers.notify import handler as notify
from handlers.report_delivery import handler as report_delivery
from handlers.security import handler as security

# The functools.cache factories of the handlers: a test starts and ends with none built.
_FACTORIES = (
    capture_order.get_store,
    channels.get_store,
    report_delivery.runtime,
    security.runtime,
    notify.runtime,
    answers_stream_settings.get_settings,
    clients.dynamodb,
    clients.events,
    clients.sqs,
)


@pytest.fixture(autouse=True)
def bus_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """PutEvents retries wait with backoff; in unit tests the waits are recorded, not slept."""
    waits: list[float] = []
    monkeypatch.setattr(bus, "_pause", waits.append)
    return waits


@pytest.fixture(autouse=True)
def _fresh_clients() -> Iterator[None]:
    """Clients are kept per execution environment; each test is a fresh one."""
    for factory in _FACTORIES:
        factory.cache_clear()
    yield
    for factory in _FACTORIES:
        factory.cache_clear()


@pytest.fixture(autouse=True)
def _clear_metrics() -> Iterator[None]:
    """Metric buffers are shared between Metrics instances: start and end each test empty."""
    Metrics().clear_metrics()
    yield
    Metrics().clear_metrics()


class _CurrentStdout:
    """Writes to whatever ``sys.stdout`` is at the time (capsys swaps it during the call)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


@pytest.fixture(autouse=True)
def _logs_to_captured_stdout() -> None:
    """Powertools' handler keeps the stdout it saw at import; make it follow capsys."""
    service = logging.getLogger(os.environ["POWERTOOLS_SERVICE_NAME"])
    for handler in service.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.stream = _CurrentStdout()


def emitted(stdout: str) -> list[dict[str, Any]]:
    """Every JSON line of stdout: Powertools logs and EMF metric blobs."""
    lines = []
    for raw in stdout.splitlines():
        line = raw.strip()
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def metric_values(stdout: str) -> dict[str, float]:
    """Metric name -> value, summed over every EMF blob printed."""
    values: dict[str, float] = {}
    for blob in emitted(stdout):
        if "_aws" not in blob:
            continue
        for directive in blob["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                name = metric["Name"]
                value = blob[name]
                total = sum(value) if isinstance(value, list) else value
                values[name] = values.get(name, 0) + total
    return values


def log_records(stdout: str) -> list[dict[str, Any]]:
    return [blob for blob in emitted(stdout) if "level" in blob and "_aws" not in blob]
