"""The README's and docs' walkthroughs, run as written against the local platform.

Each ``<!-- walkthrough: NAME -->`` block (tools/walkthroughs.py) runs in bash, in a folder
laid out as a checkout after ``make local`` (``dist/local/outputs.json``, ``.tox/local``,
``examples/``), the blocks of one page in order and in one shell, as a reader runs them in
one terminal; each page gets a platform of its own, as a first ``make local`` would. Its
output must show what the page's comments promise (``EXPECT``, below). A block that needs a
platform set up otherwise is run by the module that has one (``ELSEWHERE``), with the same
helpers.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.local.platform import ROOT, LocalPlatform

sys.path.insert(0, str(ROOT / "tools"))
from walkthroughs import Block, all_blocks

# What each block's output must show: what its comments tell the reader they will see.
EXPECT: dict[str, list[str]] = {
    "readme-realtime": [
        r'"score": 25',
        r'"level": "critical"',
        r'"text": "mail me at j\*\*\*@example\.com"',
    ],
    "local-upload": [
        r'"FailedEntryCount": ?0',
        r"^401$",
        r'"text": "New order ord-1 from customer ',
        r"invalid UploadReceived\.v3 event: detail\.currency: Field required",
    ],
    "local-chat": [
        r'"room": "lobby", "text": "mail me at j\*\*\*@example\.com"',
        r'"successful": \[',
        r"error: .*UnauthorizedException",
    ],
    "local-durable": [
        r'"seq": 1, .*"text": "mail me at j\*\*\*@example\.com"',
        r"event 0: kept before: message id m-3 was published as seq 3",
        r'"text": "sent while you were away".*"seq": 3',
        r'"text": "and this one live".*"seq": 4',
    ],
    "realtime-presence": [
        r'"occupancy": 1,\s+"members": \[\s+\{\s+"id": "[^"]+",\s+"data": \{\s+"name": "Jane"',
        r'^\{.*"action": "leave".*"seq": 2',
        r'"occupancy": 0,\s+"members": \[\]',
    ],
    "ops-redrive": [
        r"^function:notify +1 ",
        r"^  error: +WebhookError: webhook answered HTTP 503$",
        r"^dry run: 1 message\(s\) would be redriven",
        r"^moved 1, failed 0 \(left in the queue\), left 0$",
        r'"New order ord-ops-1 from customer [^"]+"\}, "status": 200',
    ],
}
# Blocks run by another module, on a platform of its own: the module that runs each.
ELSEWHERE = {
    "realtime-presence": "tests/local/test_presence.py (a 5 s heartbeat)",
    "ops-redrive": "tests/local/test_ops.py (the queues' own tests share its platform)",
}
BLOCK_TIMEOUT = 120.0


def _pages() -> dict[str, list[Block]]:
    pages: dict[str, list[Block]] = {}
    for block in all_blocks():
        if block.name and block.name not in ELSEWHERE:
            pages.setdefault(block.path, []).append(block)
    return pages


PAGES = _pages()


def block_named(name: str) -> Block:
    (block,) = [b for b in all_blocks() if b.name == name]
    return block


def checkout_of(local: LocalPlatform, work: Path) -> Path:
    """A folder at ``work`` that looks like the checkout that started ``local``."""
    (work / "dist" / "local").mkdir(parents=True)
    (work / "dist" / "local" / "outputs.json").symlink_to(local.out / "outputs.json")
    (work / ".tox").mkdir()
    (work / ".tox" / "local").symlink_to(sys.prefix)  # this env: the local env's packages
    (work / "examples").symlink_to(ROOT / "examples")
    return work


@pytest.fixture
def checkout(plans: Path, tmp_path: Path) -> Iterator[tuple[Path, LocalPlatform]]:
    """A fresh platform, and a folder that looks like the checkout that started it."""
    local = LocalPlatform(plans / f"walk-{tmp_path.name}").start()
    try:
        yield checkout_of(local, tmp_path / "checkout"), local
    finally:
        assert local.stop() == 0, local.console_text()


def test_every_walkthrough_has_its_expectations() -> None:
    named = {block.name for block in all_blocks() if block.name}
    assert named == set(EXPECT)
    assert set(ELSEWHERE) <= named


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_walkthroughs_of_a_page_run_as_written(
    page: str, checkout: tuple[Path, LocalPlatform]
) -> None:
    work, _ = checkout
    run_as_written(page, PAGES[page], work)


def run_as_written(page: str, blocks: list[Block], work: Path) -> None:
    """Run ``blocks`` in one bash in ``work`` and check each one's output against EXPECT."""
    # one shell for the page; a line between blocks to tell their outputs apart
    script = "".join(f"echo '::: {b.name}'\n{b.text}" for b in blocks)
    process = subprocess.Popen(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its background jobs too are stopped at a timeout
        env={**os.environ, "PLATFORM_PASSWORD": ""},
    )
    try:
        output, _ = process.communicate(timeout=BLOCK_TIMEOUT * len(blocks))
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"{page}: its walkthroughs did not finish:\n{output}")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, f"{page} exited {process.returncode}:\n{output}"
    parts = dict(re.findall(r"^::: (\S+)\n(.*?)(?=^::: |\Z)", output, re.S | re.M))
    for block in blocks:
        assert block.name is not None
        for pattern in EXPECT[block.name]:
            assert re.search(pattern, parts.get(block.name, ""), re.M), (
                f"{block.where} ({block.name}): no {pattern!r} in its output:\n{output}"
            )
