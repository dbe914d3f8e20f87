"""The console: one line per hop, with the correlation id that follows an event through.

Levels: 0 (``-q``) problems only, 1 (default) every hop, 2 (``-v``) hops with payloads.
Failures and timeouts print at once, in red on a terminal; a function still running after a
second says so every second until it ends.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any, TextIO

_COLOURS = {"ok": "32", "warn": "33", "fail": "31", "info": "36", "dim": "2"}


class Console:
    def __init__(self, verbosity: int = 1, stream: TextIO | None = None) -> None:
        self.verbosity = verbosity
        self.stream = stream or sys.stdout
        self._tty = self.stream.isatty()
        self._lock = threading.Lock()

    def _paint(self, text: str, tone: str) -> str:
        return f"\033[{_COLOURS[tone]}m{text}\033[0m" if self._tty and tone in _COLOURS else text

    def line(self, text: str, tone: str = "") -> None:
        with self._lock:
            print(self._paint(text, tone), file=self.stream, flush=True)

    def hop(
        self,
        kind: str,
        text: str,
        correlation: str | None = None,
        tone: str = "",
        payload: Any = None,
    ) -> None:
        """One hop: ``kind`` (request, putevents, rule, lambda, retry, dlq, ...) and what
        happened; problems (``tone`` warn/fail) print at every verbosity."""
        if self.verbosity < 1 and tone not in {"warn", "fail"}:
            return
        stamp = (
            time.strftime("%H:%M:%S", time.localtime()) + f".{int(time.time() * 1000) % 1000:03d}"
        )
        tag = f" [{correlation[:8]}]" if correlation else ""
        self.line(f"{stamp} {kind:<9} {text}{tag}", tone)
        if payload is not None and self.verbosity >= 2:
            self.line("          " + json.dumps(payload, default=str)[:2000], "dim")

    def step(self, text: str) -> None:
        """A start-up step (always shown)."""
        self.line(f"==> {text}", "info")
