"""MkDocs hooks of the docs site (``mkdocs.yml``; ``make docs``).

- The README is the site's home page (``index.md``, generated at build time: one text, never
  a copy): its links into ``docs/`` become the site's own pages, checked like any other.
- A link from a page to a repository file outside ``docs/`` (a module, a source file) must
  name a file or folder that exists, or the build fails (a warning under ``strict: true``);
  in the site it is shown as the path it names, since the site holds no repository files.

MkDocs itself checks links between pages and their anchors (``validation`` in mkdocs.yml).
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
LOG = logging.getLogger("mkdocs.hooks.docs")  # under "mkdocs": strict mode counts its warnings

# [text](target) and ![alt](target); the target has no spaces (none of ours do)
LINK = re.compile(r"(?P<bang>!?)\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)\)")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#|/)", re.IGNORECASE)


def on_files(files: Files, config: Any) -> Files:
    """Add the README as the home page."""
    if (DOCS / "index.md").exists():
        LOG.warning("docs/index.md exists: the home page is README.md, generated at build time")
    files.append(File.generated(config, "index.md", content=README.read_text()))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Rewrite links that leave docs/ (and the README's links into it); warn on missing ones."""
    src_uri: str = page.file.src_uri
    base = ROOT if src_uri == "index.md" else (DOCS / src_uri).parent
    out, fenced = [], False
    for line in markdown.splitlines(keepends=True):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        out.append(line if fenced else LINK.sub(lambda m: _rewrite(m, base, src_uri), line))
    return "".join(out)


def _rewrite(match: re.Match[str], base: Path, src_uri: str) -> str:
    target = match["target"]
    if EXTERNAL.match(target):
        return match[0]
    path, _, anchor = target.partition("#")
    # normpath, not resolve(): a symlinked folder stays where the repository has it
    resolved = Path(os.path.normpath(base / path))
    if resolved == README:
        return f"[{match['text']}](index.md{'#' + anchor if anchor else ''})"
    if resolved.is_relative_to(DOCS):  # a page of the site: MkDocs checks it and its anchor
        inside = resolved.relative_to(DOCS).as_posix() + (f"#{anchor}" if anchor else "")
        return f"{match['bang']}[{match['text']}]({inside})"
    if not resolved.is_relative_to(ROOT) or not resolved.exists():
        LOG.warning("%s: the link %s names no file of the repository", src_uri, target)
        return match[0]
    if match["bang"]:
        LOG.warning("%s: the image %s is outside docs/: the site cannot show it", src_uri, target)
        return match[0]
    shown = resolved.relative_to(ROOT).as_posix()
    text = match["text"]
    return text if text.strip("`") == shown else f"{text} (`{shown}`)"
