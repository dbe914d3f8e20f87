"""The docs site (``make docs``: mkdocs.yml, tools/docs_hooks.py): it builds from the repository
as it is, and a broken link, anchor or repository path fails the build, naming it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
from walkthroughs import all_blocks

README_BUDGET = 15 * 1024  # the front door (issue: at most 15 KB)


def _build(root: Path, site: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The site's sources copied; every other top-level folder linked, so paths still exist."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copytree(ROOT / "docs", root / "docs")
    (root / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "docs_hooks.py", root / "tools")
    for name in ("mkdocs.yml", "README.md"):
        shutil.copy(ROOT / name, root)
    for entry in ROOT.iterdir():
        if entry.is_dir() and not (root / entry.name).exists() and entry.name != ".git":
            (root / entry.name).symlink_to(entry)
    return root


def test_the_site_builds_with_the_readme_as_its_home_page(tmp_path: Path) -> None:
    built = _build(ROOT, tmp_path / "site")
    assert built.returncode == 0, built.stderr
    home = (tmp_path / "site" / "index.html").read_text()
    assert "Serverless real-time event platform" in home
    assert 'href="local-platform.html"' in home  # the README's docs/ links, as site pages
    assert (tmp_path / "site" / "asyncapi.html").is_file()


def test_the_readme_is_a_front_door() -> None:
    size = len((ROOT / "README.md").read_bytes())
    assert size <= README_BUDGET, f"README.md is {size} bytes, over {README_BUDGET}"


def _append(page: Path, text: str) -> None:
    page.write_text(page.read_text() + "\n" + text + "\n")


@pytest.mark.parametrize(
    ("link", "named"),
    [
        ("[gone](no-such-page.md)", "no-such-page.md"),
        ("[gone](realtime.md#no-such-anchor)", "no-such-anchor"),
        ("[gone](#nor-here)", "nor-here"),
        ("[gone](../src/no_such_module.py)", "../src/no_such_module.py"),
    ],
)
def test_a_broken_link_fails_the_build_naming_it(
    copy: Path, tmp_path: Path, link: str, named: str
) -> None:
    _append(copy / "docs" / "operations.md", link)
    built = _build(copy, tmp_path / "site")
    assert built.returncode != 0
    assert named in built.stderr


def test_a_broken_readme_link_fails_the_build(copy: Path, tmp_path: Path) -> None:
    _append(copy / "README.md", "[gone](docs/missing.md)")
    built = _build(copy, tmp_path / "site")
    assert built.returncode != 0
    assert "missing.md" in built.stderr


def test_a_repository_path_is_shown_as_the_path_it_names(copy: Path, tmp_path: Path) -> None:
    _append(copy / "docs" / "operations.md", "See [the client](../examples/realtime_client).")
    built = _build(copy, tmp_path / "site")
    assert built.returncode == 0, built.stderr
    page = (tmp_path / "site" / "operations.html").read_text()
    assert "See the client (<code>examples/realtime_client</code>)." in page


# --- shell blocks: each is run by the tests, or says why it cannot be ----------------------


def test_every_shell_block_is_run_or_says_why_not() -> None:
    found = all_blocks()
    unmarked = [b.where for b in found if not (b.name or b.reason)]
    assert not unmarked, (
        "a shell block with neither <!-- walkthrough: NAME --> nor <!-- not run: REASON --> "
        f"on the line before its fence: {unmarked}"
    )
    names = [b.name for b in found if b.name]
    assert len(names) == len(set(names)), names
    assert "readme-realtime" in names  # the README's own walkthrough is run


def test_an_unmarked_block_is_found(tmp_path: Path) -> None:
    page = tmp_path / "docs" / "page.md"
    page.parent.mkdir()
    (tmp_path / "README.md").write_text("# x\n\n<!-- walkthrough: a -->\n```sh\necho a\n```\n")
    page.write_text(
        "text\n\n```sh\necho b\n```\n\n```json\n{}\n```\n\n"
        "1. in a list:\n\n   <!-- not run: why -->\n   ```sh\n   echo c\n     echo d\n   ```\n"
        "2. and unmarked:\n   ```sh\n   echo e\n   ```\n"
    )
    found = {b.where: (b.name, b.reason, b.text) for b in all_blocks(tmp_path)}
    assert found == {
        "README.md:4": ("a", None, "echo a\n"),
        "docs/page.md:3": (None, None, "echo b\n"),
        "docs/page.md:14": (None, "why", "echo c\n  echo d\n"),  # read without its indent
        "docs/page.md:19": (None, None, "echo e\n"),
    }
