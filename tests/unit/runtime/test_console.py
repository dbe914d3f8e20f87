"""The console's timestamps never go backwards: one monotonic read per line, stamped under the
lock that prints it."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator

from local_runtime.console import Clock, Console


def readings(values: list[float]) -> Iterator[float]:
    yield from values


def test_a_second_boundary_reads_once() -> None:
    # The wall clock reads 1,700,000,000 s when the console starts; monotonic 100.0 then.
    monotonic = readings([100.0, 100.9996, 101.0004, 101.0009])
    clock = Clock(wall=lambda: 1_700_000_000.0, monotonic=lambda: next(monotonic))
    stamps = [clock.stamp() for _ in range(3)]
    assert [s[-6:] for s in stamps] == ["20.999", "21.000", "21.000"]  # 1,700,000,000 s: :20
    assert stamps == sorted(stamps)


def test_a_wall_clock_stepping_back_does_not_show() -> None:
    walls = readings([1_700_000_000.5, 1_699_999_990.0])  # NTP steps the clock back 10 s
    monos = readings([50.0, 50.2])
    clock = Clock(wall=lambda: next(walls), monotonic=lambda: next(monos))
    assert clock.stamp().endswith(".700")


def test_concurrent_hops_print_in_stamp_order() -> None:
    out = io.StringIO()
    console = Console(stream=out)

    def hops() -> None:
        for n in range(300):
            console.hop("lambda", f"hop {n}")

    threads = [threading.Thread(target=hops) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    stamps = [line.split(" ", 1)[0] for line in out.getvalue().splitlines()]
    assert len(stamps) == 1800
    assert stamps == sorted(stamps)
