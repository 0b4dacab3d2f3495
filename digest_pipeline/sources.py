"""Finding digest files: which paths under the input folders count as input."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

# Names of files still being written or hidden by editors and sync tools.
IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".swp", "~")


@dataclass(frozen=True, slots=True)
class DigestFile:
    path: Path
    size_bytes: int
    modified_at: datetime

    @property
    def modified_date(self) -> date:
        return self.modified_at.date()


def is_candidate(path: Path) -> bool:
    return not path.name.startswith(".") and not path.name.endswith(IGNORED_SUFFIXES)


def regular_files(folder: Path) -> dict[Path, os.stat_result]:
    """Regular files directly inside `folder`: no sub-folders, no temporary or hidden names,
    no symlinks leading out of it or looping; files that vanish while listed are skipped."""
    found: dict[Path, os.stat_result] = {}
    root = folder.resolve()
    if not root.is_dir():
        return found
    for path in sorted(root.iterdir()):
        if not is_candidate(path):
            continue
        try:
            resolved = path.resolve(strict=True)
            if resolved.parent != root or not resolved.is_file():
                continue
            found[resolved] = resolved.stat()
        except (OSError, RuntimeError):  # vanished, dangling or looping symlink
            continue
    return found


def find_digest_files(paths: list[str | Path]) -> list[DigestFile]:
    """The files named by `paths` and the regular files directly inside the folders among them."""
    found: dict[Path, os.stat_result] = {}
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.update(regular_files(path))
        elif path.is_file():
            found[path.resolve()] = path.resolve().stat()
    return [
        DigestFile(path, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC).replace(tzinfo=None))
        for path, stat in sorted(found.items())
    ]


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
