"""The shell blocks of the README and docs/, as the tests run them.

Every ```` ```sh ```` block a reader is told to run carries, on the line before its fence,
either ``<!-- walkthrough: NAME -->`` (``tests/local/test_walkthroughs.py`` runs it against
``make local`` and checks its output) or ``<!-- not run: REASON -->`` (why no test can run
it here: it needs an AWS account, or it is ``make local`` itself). A block with neither
fails ``tests/docs``; ``python tools/walkthroughs.py`` lists them all.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A fence may be indented (a block inside a list item): the block is read without its indent.
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[a-z]*)\s*$")
MARK = re.compile(r"^<!-- (?:walkthrough: (?P<name>[a-z0-9-]+)|not run: (?P<reason>.+?)) -->$")


@dataclass(frozen=True)
class Block:
    """One fenced shell block: where it is, its text, and its marker."""

    path: str  # relative to the repository
    line: int  # of the opening fence, 1-based
    text: str
    name: str | None  # run by the tests under this name
    reason: str | None  # not run, and why

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def blocks(path: Path, root: Path = ROOT) -> list[Block]:
    """The ``sh`` blocks of one Markdown file (other languages are not commands)."""
    found, lines = [], path.read_text().splitlines()
    index = 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if not fence:
            index += 1
            continue
        end = next(
            (j for j in range(index + 1, len(lines)) if lines[j].lstrip().startswith("```")),
            len(lines),
        )
        if fence["lang"] == "sh":
            mark = MARK.match(lines[index - 1].strip()) if index else None
            indent = len(fence["indent"])
            found.append(
                Block(
                    path=path.relative_to(root).as_posix(),
                    line=index + 1,
                    text="\n".join(line[indent:] for line in lines[index + 1 : end]) + "\n",
                    name=mark["name"] if mark else None,
                    reason=mark["reason"] if mark else None,
                )
            )
        index = end + 1
    return found


def documents(root: Path = ROOT) -> list[Path]:
    """The README and every page of docs/."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def all_blocks(root: Path = ROOT) -> list[Block]:
    return [block for document in documents(root) for block in blocks(document, root)]


def main() -> int:
    for block in all_blocks():
        status = f"run as {block.name}" if block.name else f"not run: {block.reason}"
        print(f"{block.where:32} {status if block.name or block.reason else 'UNMARKED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
