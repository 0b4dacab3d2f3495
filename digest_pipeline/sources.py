"""Finding digest files: which paths under the input folders count as input."""

from __future__ import annotations

import hashlib
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


def find_digest_files(paths: list[str | Path]) -> list[DigestFile]:
    """Regular files named by `paths` or directly inside the folders among them, sorted by path.

    Folders are not searched recursively, and symlinks are followed only when
    they stay inside the folder they sit in.
    """
    found: dict[Path, DigestFile] = {}
    for given in paths:
        root = Path(given).resolve()
        candidates = [root] if root.is_file() else sorted(root.iterdir()) if root.is_dir() else []
        for path in candidates:
            resolved = path.resolve()
            if not (is_candidate(path) and resolved.is_file()):
                continue
            if root.is_dir() and resolved.parent != root:
                continue  # a symlink leading out of the input folder
            stat = resolved.stat()
            found[resolved] = DigestFile(
                path=resolved,
                size_bytes=stat.st_size,
                modified_at=datetime.fromtimestamp(stat.st_mtime, UTC).replace(tzinfo=None),
            )
    return sorted(found.values(), key=lambda file: str(file.path))


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
