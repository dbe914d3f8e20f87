"""What the handler package does for a function's cold start, around its handler module's import.

Only in a function's own process (Lambda, or a worker of the local platform: both set
``AWS_LAMBDA_FUNCTION_NAME``), never in a process that imports the package for other
reasons (tests, tools, the local platform itself):

- ``begin`` (run by ``handlers/__init__.py``, before anything else is imported) pauses
  Python's cyclic garbage collector: an import makes hundreds of thousands of objects and no
  garbage worth collecting, yet the collector would walk them some twenty times;
- ``imported`` (the last line of every handler module) freezes what the import made (moved
  out of the collector's generations for good, ``gc.freeze``, so that the first request does
  not walk it all at once instead) and starts the collector again.

`make bench` measures the import with and without (docs/performance.md).
"""

from __future__ import annotations

import gc
import os

IN_A_FUNCTION = "AWS_LAMBDA_FUNCTION_NAME" in os.environ

_paused = False


def begin() -> None:
    """Pause the cyclic garbage collector until ``imported`` (in a function's process)."""
    global _paused  # noqa: PLW0603 - one flag for the process's one cold start
    if IN_A_FUNCTION and gc.isenabled():
        gc.disable()
        _paused = True


def imported() -> None:
    """The handler module is imported: freeze what the import made, start the collector."""
    global _paused  # noqa: PLW0603
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
