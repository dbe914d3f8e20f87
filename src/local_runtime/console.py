"""The console: one line per hop, with the correlation id that follows an event through.

Levels: 0 (``-q``) problems only, 1 (default) every hop, 2 (``-v``) hops with payloads.
Failures and timeouts print at once, in red on a terminal; a function still running after a
second says so every second until it ends.

Timestamps never go backwards: each line reads one clock, the monotonic one, once, under the
lock that prints it, and shows it as the wall-clock time it stands for (the wall clock read
once when the console starts, plus the monotonic time since). Reading seconds and
milliseconds from two reads of the wall clock could show 12:00:00.999 after 12:00:01.000.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

_COLOURS = {"ok": "32", "warn": "33", "fail": "31", "info": "36", "dim": "2"}


class Clock:
    """Wall-clock time of day that only moves forward: one monotonic read per stamp."""

    def __init__(
        self,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._monotonic = monotonic
        self._wall, self._start = wall(), monotonic()

    def stamp(self) -> str:
        now = self._wall + (self._monotonic() - self._start)
        whole = int(now)
        return (
            time.strftime("%H:%M:%S", time.localtime(whole)) + f".{int((now - whole) * 1000):03d}"
        )


class Console:
    def __init__(self, verbosity: int = 1, stream: TextIO | None = None) -> None:
        self.verbosity = verbosity
        self.stream = stream or sys.stdout
        self._tty = self.stream.isatty()
        self._lock = threading.Lock()
        self.clock = Clock()

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
        tag = f" [{correlation[:8]}]" if correlation else ""
        extra = None
        if payload is not None and self.verbosity >= 2:
            extra = self._paint("          " + json.dumps(payload, default=str)[:2000], "dim")
        with self._lock:  # stamped under the lock that prints it: lines come out in order
            text = f"{self.clock.stamp()} {kind:<9} {text}{tag}"
            print(self._paint(text, tone), file=self.stream, flush=True)
            if extra is not None:
                print(extra, file=self.stream, flush=True)

    def step(self, text: str) -> None:
        """A start-up step (always shown)."""
        self.line(f"==> {text}", "info")
