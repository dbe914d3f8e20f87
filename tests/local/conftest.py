"""The local platform, started once per module on free ports (see platform.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.local.platform import LocalPlatform
from tests.local.roots import auth_root as make_auth_root
from tests.local.roots import tuned_root as make_tuned_root

pytestmark = pytest.mark.local


@pytest.fixture(scope="session")
def plans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One plan cache for the session: platforms of the same root plan once."""
    return tmp_path_factory.mktemp("local")


@pytest.fixture(scope="session")
def tuned_root(plans: Path) -> Path:
    """The presence and scaling modules' copy of the root (roots.tuned_root), made once:
    each module starts a platform of its own, and both start from one plan."""
    return make_tuned_root(plans / "tuned-src")


@pytest.fixture(scope="session")
def auth_root(plans: Path) -> Path:
    """The upload-authoriser and Event API auth-mode modules' copy of the root
    (roots.auth_root), made once: each module starts a platform of its own from one plan."""
    return make_auth_root(plans / "auth-src")


@pytest.fixture(scope="module")
def platform(plans: Path) -> Iterator[LocalPlatform]:
    work = plans / "platform"
    local = LocalPlatform(work, args=["--ka-interval", "1"]).start()
    try:
        yield local
    finally:
        assert local.stop() == 0, local.console_text()
