"""Powertools' re-exporting packages with their ``__init__`` deferred
(handlers.common.lazy_packages): a handler loads only what it imports, and every name the
packages export is still there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from handlers.common.lazy_packages import reexports

SRC = Path(__file__).parents[2] / "src"
PACKAGES = ("aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes")


def fresh(code: str) -> object:
    """Run ``code`` in a new interpreter with the project's sources; its printed JSON."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), *sys.path])}
    env.update({"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1"})
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_channel_handler_loads_only_its_resolver() -> None:
    loaded = fresh(
        "import json, sys\n"
        "import handlers.channels.handler\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('aws_lambda_powertools.')"
        " and ('event_handler' in m or 'data_classes' in m))))"
    )
    assert isinstance(loaded, list)
    assert "aws_lambda_powertools.event_handler.events_appsync.appsync_events" in loaded
    for heavy in (
        "aws_lambda_powertools.event_handler.api_gateway",  # REST/HTTP resolvers, OpenAPI
        "aws_lambda_powertools.event_handler.appsync",  # the GraphQL resolver
        "aws_lambda_powertools.event_handler.bedrock_agent",
        "aws_lambda_powertools.utilities.data_classes.sqs_event",
        "aws_lambda_powertools.utilities.data_classes.alb_event",
    ):
        assert heavy not in loaded


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_name_is_still_there(package: str) -> None:
    # The names and objects of the package imported the ordinary way ...
    code = (
        "import importlib, json\n"
        "{setup}"
        f"p = importlib.import_module({package!r})\n"
        "print(json.dumps({n: f'{getattr(p, n).__module__}.{getattr(p, n).__qualname__}'"
        " if hasattr(getattr(p, n), '__qualname__') else repr(getattr(p, n))"
        " for n in sorted(p.__all__)}))"
    )
    ordinary = fresh(code.replace("{setup}", ""))
    # ... and after a handler deferred its __init__ and imported one of its modules first.
    deferred = fresh(code.replace("{setup}", "import handlers.channels.handler\n"))
    assert isinstance(ordinary, dict)
    assert len(ordinary) > 10
    assert deferred == ordinary


def test_names_and_modules_resolve_without_running_the_init() -> None:
    result = fresh(
        "import json, sys\n"
        # batch -> sqs_event, which takes S3Event from its package
        "import handlers.answers_stream.handler\n"
        "from aws_lambda_powertools.utilities.data_classes import SQSEvent, S3Event\n"
        "from aws_lambda_powertools.event_handler import Response, content_types\n"
        "from aws_lambda_powertools.event_handler.api_gateway import Response as Direct\n"
        "print(json.dumps([Response is Direct, content_types.__name__, SQSEvent.__name__,"
        " 'aws_lambda_powertools.event_handler.bedrock_agent' in sys.modules]))"
    )
    assert result == [True, "aws_lambda_powertools.event_handler.content_types", "SQSEvent", False]


def test_reexports_reads_from_imports() -> None:
    source = (
        "from __future__ import annotations\n"
        "from pkg.a import One, Two as Second\n"
        "from .b import (\n    Three,  # a comment\n    Four as Fourth,\n)\n"
        "from other.c import Outside\n"
        "import pkg.d\n"
        "from . import e, f as g\n"  # modules of the package: imported as themselves
        "from ..up import Parent\n"  # outside the package
    )
    assert reexports("pkg", source) == {
        "One": ("pkg.a", "One"),
        "Second": ("pkg.a", "Two"),
        "Three": ("pkg.b", "Three"),
        "Fourth": ("pkg.b", "Four"),
    }


def test_asyncio_loads_only_when_used() -> None:
    """The channel handler imports without running asyncio (Powertools' Events resolver
    imports it for async resolvers only); an async resolver still runs."""
    seen = fresh(
        "import json, sys\n"
        "import handlers.channels.handler\n"
        "before = 'asyncio.base_events' in sys.modules\n"
        "from aws_lambda_powertools.event_handler.events_appsync.appsync_events import "
        "AppSyncEventsResolver\n"
        "app = AppSyncEventsResolver()\n"
        "@app.async_on_publish('/x/*')\n"
        "async def echo(payload):\n"
        "    return payload\n"
        "import asyncio\n"
        "ran = asyncio.run(echo({'a': 1}))\n"
        "print(json.dumps([before, 'asyncio.base_events' in sys.modules, ran]))"
    )
    assert seen == [False, True, {"a": 1}]


def test_a_deferred_module_runs_on_its_first_use_and_not_before(tmp_path: Path) -> None:
    """``defer_module``: a library's ``from lazy import add`` at its own import gets a
    stand-in; the module runs on the first call (or the first other name asked), once."""
    (tmp_path / "deferred_probe_lazy.py").write_text(
        "import sys\nsys.deferred_probe_runs = getattr(sys, 'deferred_probe_runs', 0) + 1\n"
        "def add(a, b):\n    return a + b\nVALUE = 42\n"
    )
    (tmp_path / "deferred_probe_user.py").write_text(
        "from deferred_probe_lazy import add\ndef total():\n    return add(2, 3)\n"
    )
    seen = fresh(
        f"import json, sys\nsys.path.insert(0, {str(tmp_path)!r})\n"
        "from handlers.common.lazy_packages import defer_module\n"
        "module = defer_module('deferred_probe_lazy', functions=('add',))\n"
        "import deferred_probe_user\n"
        "before = getattr(sys, 'deferred_probe_runs', 0)\n"
        "total = deferred_probe_user.total()\n"
        "after_call = sys.deferred_probe_runs\n"
        "value = module.VALUE\n"
        "try:\n    module.missing\nexcept AttributeError as exc:\n    missing = str(exc)\n"
        "import deferred_probe_lazy\n"
        "print(json.dumps([before, total, after_call, value, sys.deferred_probe_runs,"
        " deferred_probe_lazy is module, deferred_probe_lazy.add.__module__, missing]))"
    )
    assert seen == [
        0,  # imported by name, not run
        5,  # the stand-in ran it and called the real function
        1,
        42,
        1,  # once
        True,
        "deferred_probe_lazy",  # the real function now
        "module 'deferred_probe_lazy' has no attribute 'missing'",
    ]


def test_a_deferred_module_runs_on_the_first_attribute_asked() -> None:
    seen = fresh(
        "import json, sys\n"
        "from handlers.common.lazy_packages import defer_module\n"
        "module = defer_module('colorsys')\n"
        "before = 'rgb_to_hsv' in vars(module)\n"
        "hsv = module.rgb_to_hsv(1.0, 0.0, 0.0)\n"
        "print(json.dumps([before, hsv, defer_module('colorsys') is module]))"
    )
    assert seen == [False, [0.0, 1.0, 1.0], True]
