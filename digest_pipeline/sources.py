"""Finding digest files: which paths under the input folders count as input."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from stat import S_ISREG

# Names of files still being written or hidden by editors and sync tools.
IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".swp", "~")


@dataclass(frozen=True, slots=True)
class DigestFile:
    path: Path
    size_bytes: int | None
    modified_at: datetime | None
    problem: str | None = None  # why it cannot be read: it is quarantined instead

    @property
    def modified_date(self) -> date | None:
        return self.modified_at.date() if self.modified_at else None


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


def input_files(paths: list[str | Path]) -> dict[Path, os.stat_result]:
    """The files named by `paths` and the regular files directly inside the folders among them."""
    found: dict[Path, os.stat_result] = {}
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.update(regular_files(path))
        elif path.is_file():
            found[path.resolve()] = path.resolve().stat()
    return found


def find_digest_files(paths: list[str | Path]) -> list[DigestFile]:
    return [
        DigestFile(path, stat.st_size, _utc(stat.st_mtime))
        for path, stat in sorted(input_files(paths).items())
    ]


def describe(path: str, inputs: list[str]) -> tuple[str, int | None, datetime | None, str | None]:
    """(path, size, modification time, problem) of a file a partition names. Only a file that
    `find_digest_files(inputs)` would list is looked at; anything else gets a problem instead."""
    candidate = Path(path)
    if not covers(inputs, candidate):
        return path, None, None, "not a digest file directly inside the input folders; not read"
    try:
        # Not stat(): listed names are resolved, never links, so a link here was swapped in
        # since listing, and following it could read a file outside the input folders.
        stat = candidate.lstat()
    except FileNotFoundError:
        return path, None, None, "the file is gone (deleted or renamed before this run read it)"
    except OSError as error:
        return path, None, None, f"cannot read file: {error.strerror}"
    if not S_ISREG(stat.st_mode):
        return path, None, None, "not a regular file (a link or a folder); not read"
    return path, stat.st_size, _utc(stat.st_mtime), None


def covers(inputs: list[str], path: Path) -> bool:
    """Whether `path` (absolute, resolved) is one of the inputs, or a candidate name directly
    inside one of the input folders."""
    for given in map(Path, inputs):
        root = given.resolve()
        if path == root or (given.is_dir() and path.parent == root and is_candidate(path)):
            return True
    return False


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path) -> str:
    """`content_hash` of a file, read in chunks so that a huge file is never held in memory."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
