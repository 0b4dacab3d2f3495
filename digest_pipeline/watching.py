"""Watching an input folder: which digest files are new, changed, gone, or still being written.

A sensor keeps a `FolderState` in its cursor between evaluations. A file counts
once it is stable: the same size and modification time at two evaluations in a
row, so a file still being copied in waits. A stable file whose size or time
moved since it was last ingested is hashed; only a new hash makes it "changed",
so touching a file re-ingests nothing.
"""

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from digest_pipeline.sources import file_hash, input_files

CURSOR_VERSION = 2


@dataclass(frozen=True, slots=True)
class Seen:
    size: int
    mtime_ns: int
    sha256: str | None = None


@dataclass
class FolderState:
    """What the watcher knows: ingested files (with hashes) and files waiting to settle."""

    ingested: dict[str, Seen] = field(default_factory=dict)
    settling: dict[str, Seen] = field(default_factory=dict)
    generation: int = 0
    # The runs last requested ({"run_key": ..., "partitions": [first, last] or None for the
    # marts alone}) and how often they were retried after failing.
    last_requests: list[dict] = field(default_factory=list)
    retries: int = 0
    # The working file's identity when last looked at (`Warehouse.work_file_identity`).
    work_file: list[int] | None = None
    # The record of lost staging rows when last looked at (`Warehouse.staging_lost`).
    staging_lost: list[int] | None = None
    # Files left waiting in the working file (`Warehouse.pending_files`) asked for again:
    # path -> [times in a row, the waiting state asked for].
    pending: dict[str, list] = field(default_factory=dict)

    def to_cursor(self) -> str:
        return json.dumps(
            {
                "version": CURSOR_VERSION,
                "generation": self.generation,
                "last_requests": self.last_requests,
                "retries": self.retries,
                "work_file": self.work_file,
                "staging_lost": self.staging_lost,
                "pending": self.pending,
                "ingested": {path: [s.size, s.mtime_ns, s.sha256] for path, s in self.ingested.items()},
                "settling": {path: [s.size, s.mtime_ns] for path, s in self.settling.items()},
            },
            sort_keys=True,
        )

    @classmethod
    def from_cursor(cls, cursor: str | None) -> "FolderState":
        if not cursor:
            return cls()
        data = json.loads(cursor)
        if data.get("version") != CURSOR_VERSION:
            return cls()  # written by another version: look at the folder afresh
        return cls(
            ingested={path: Seen(*values) for path, values in data.get("ingested", {}).items()},
            settling={path: Seen(*values) for path, values in data.get("settling", {}).items()},
            generation=data.get("generation", 0),
            last_requests=data.get("last_requests", []),
            retries=data.get("retries", 0),
            work_file=data.get("work_file"),
            staging_lost=data.get("staging_lost"),
            pending=data.get("pending", {}),
        )


@dataclass(frozen=True)
class Changes:
    new: list[str]
    changed: list[str]
    removed: list[str]
    waiting: list[str]
    unreadable: list[str]

    @property
    def needs_ingest(self) -> bool:
        return bool(self.new or self.changed or self.removed)


def observe(inputs: list[Path], state: FolderState) -> tuple[Changes, FolderState]:
    """Compare the inputs (folders, or single files) with the last state; return the changes
    and the next state."""
    current = {str(path): Seen(stat.st_size, stat.st_mtime_ns) for path, stat in input_files(inputs).items()}
    ingested, settling = dict(state.ingested), {}
    new, changed, waiting, unreadable = [], [], [], []
    for path, seen in sorted(current.items()):
        before = state.ingested.get(path)
        if before is not None and (before.size, before.mtime_ns) == (seen.size, seen.mtime_ns):
            continue  # untouched since ingested
        previous = state.settling.get(path)
        if previous is None or (previous.size, previous.mtime_ns) != (seen.size, seen.mtime_ns):
            settling[path] = seen  # first sight, or still being written: look again next time
            waiting.append(path)
            continue
        try:
            digest = file_hash(Path(path))
        except OSError:
            unreadable.append(path)  # the ingest run quarantines it with the reason
            digest = None
        ingested[path] = Seen(seen.size, seen.mtime_ns, digest)
        if before is None:
            new.append(path)
        elif before.sha256 != digest or digest is None:
            changed.append(path)
    removed = sorted(set(state.ingested) - set(current))
    for path in removed:
        del ingested[path]
    generation = state.generation + (1 if new or changed or removed else 0)
    return Changes(new, changed, removed, waiting, unreadable), replace(
        state, ingested=ingested, settling=settling, generation=generation
    )


def run_key(state: FolderState) -> str:
    """One key per content state of the folders: a re-evaluated tick (a daemon restarted
    mid-tick) asks for the same run again and Dagster launches it once. The generation
    makes a folder restored to an earlier state a new key."""
    contents = json.dumps(sorted((path, seen.sha256) for path, seen in state.ingested.items()))
    return f"{state.generation}:{hashlib.sha256(contents.encode()).hexdigest()[:16]}"


def partition_ranges(ordered: list[str], wanted: set[str]) -> list[tuple[str, str]]:
    """The wanted keys as (first, last) ranges of consecutive keys in partition order: a run
    covers a range of partitions, so new files (added last, together) make one run."""
    ranges: list[tuple[str, str]] = []
    start = previous = None
    for key in ordered:
        if key in wanted:
            if start is None:
                start = key
            previous = key
        elif start is not None:
            ranges.append((start, previous))
            start = None
    if start is not None:
        ranges.append((start, previous))
    return ranges
