"""The local platform, started once per module on free ports (see platform.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.local.platform import LocalPlatform

pytestmark = pytest.mark.local


@pytest.fixture(scope="session")
def plans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One plan cache for the session: platforms of the same root plan once."""
    return tmp_path_factory.mktemp("local")


@pytest.fixture(scope="module")
def platform(plans: Path) -> Iterator[LocalPlatform]:
    work = plans / "platform"
    local = LocalPlatform(work, args=["--ka-interval", "1"]).start()
    try:
        yield local
    finally:
        assert local.stop() == 0, local.console_text()
