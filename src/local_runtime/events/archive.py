"""The bus's archives: every event put on an archived bus, one JSON line each, in
``dist/local/archive/<archive>.jsonl`` (where AWS keeps an archive is its own business; the
events and their order are what a replay needs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class Archive:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, archive: str) -> Path:
        return self.folder / f"{archive}.jsonl"

    def append(self, archive: str, event: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.path(archive).open("a") as out:
            out.write(json.dumps(event) + "\n")

    def events(self, archive: str) -> list[dict[str, Any]]:
        """Every archived event, oldest first."""
        path = self.path(archive)
        lines = path.read_text().splitlines() if path.is_file() else []
        return [json.loads(line) for line in lines if line]
