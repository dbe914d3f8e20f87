"""The whole local platform started in this process from the checked-in plan fixture
(``fixtures/local-plan.json``, ``make plan-fixture``): no terraform, every service on a free
port of 127.0.0.1, driven over the network by the same helpers as the end-to-end tests
(``tests/local``), which start it as a process from a fresh plan."""

from __future__ import annotations

import asyncio
import io
import json
import threading
import urllib.request
from pathlib import Path
from typing import Any

from local_runtime.console import Console
from local_runtime.host import Options, Platform
from tests.local.platform import ROOT, WEB, ZIP, LocalPlatform

FIXTURE = Path(__file__).parent / "fixtures" / "local-plan.json"


class InProcess(LocalPlatform):
    """``LocalPlatform`` whose platform runs on an event loop of this process."""

    def __init__(self, workdir: Path, **options: Any) -> None:
        super().__init__(workdir)
        self.stream = io.StringIO()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.options = Options(
            repo=ROOT,
            root=ROOT / "terraform",
            tfvars=ROOT / "terraform" / "environments" / "local.tfvars",
            zip_path=ZIP,
            work=workdir / "work",
            out=self.out,
            aws_port=0,
            http_port=0,
            events_port=0,
            control_port=0,
            web_port=0,
            web_dir=WEB,
            delay_scale=0.005,
            plan_file=FIXTURE,
            **options,
        )
        self.platform = Platform(self.options, Console(verbosity=1, stream=self.stream))

    def _run(self, coroutine: Any, timeout: float) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def start(self) -> InProcess:
        self.out.mkdir(parents=True, exist_ok=True)
        self.thread.start()
        self._run(self.platform.start(), 120)
        raw = json.loads((self.out / "outputs.json").read_text())
        self.outputs = {k: v["value"] for k, v in raw.items()}
        return self

    def console_text(self) -> str:
        return self.stream.getvalue()

    def stop(self) -> int:
        # moto keeps its state in this process: reset it (moto's own reset API), so that the
        # next platform started here makes its tables and queues anew.
        reset = urllib.request.Request(  # noqa: S310 - the local endpoint
            f"{self.outputs['aws_endpoint_url']}/moto-api/reset", method="POST"
        )
        with urllib.request.urlopen(reset, timeout=10):  # noqa: S310
            pass
        self._run(self.platform.stop(), 60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()
        return 0
