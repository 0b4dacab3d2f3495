"""`digest-pipeline`: ingest digests through the Dagster asset graph, from a terminal."""

import argparse
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from digest_pipeline.storage import Warehouse

# Events worth a line of progress; everything else stays in Dagster's event log.
PROGRESS_EVENTS = {"STEP_START": "started", "STEP_SUCCESS": "done", "STEP_FAILURE": "FAILED"}


class ProgressHandler(logging.Handler):
    """Prints one short line per step start/end and per message from our own assets."""

    def __init__(self, started: float):
        super().__init__(logging.DEBUG)
        self.started = started

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", {})
        event = meta.get("dagster_event")
        step = meta.get("step_key") or "run"
        if event is not None:
            word = PROGRESS_EVENTS.get(event.event_type_value)
            if word is None:
                return
            line = f"{step}: {word}"
        elif record.levelno >= logging.INFO:
            line = f"{step}: {meta.get('orig_message', record.getMessage())}"
        else:
            return
        print(f"[{time.monotonic() - self.started:6.1f}s] {line}", file=sys.stderr, flush=True)


@contextmanager
def environment(settings: dict[str, str]) -> Iterator[None]:
    """`settings` in the environment, where not set already, for the duration of the block."""
    added = {name: value for name, value in settings.items() if name not in os.environ}
    os.environ.update(added)
    try:
        yield
    finally:
        for name in added:
            del os.environ[name]


def ingest(paths: Sequence[str], database: str, year: int | None, everything: bool = False) -> int:
    from dagster import DagsterInstance, logger

    from digest_pipeline.assets.outcomes import only_files_failed
    from digest_pipeline.definitions import INGEST_JOB, build_definitions

    started = time.monotonic()

    @logger(description="Compact progress lines for the command line.")
    def progress(_init_context):
        log = logging.getLogger("digest_pipeline.progress")
        log.handlers = [ProgressHandler(started)]
        log.setLevel(logging.DEBUG)
        log.propagate = False
        return log

    defs = build_definitions(paths, database, year)
    job = defs.resolve_job_def(INGEST_JOB).with_logger_defs({"progress": progress})
    # With DAGSTER_HOME set, the partitions and the run are recorded where `dagster dev` shows them.
    settings = {}
    if os.environ.get("DAGSTER_HOME"):
        instance = DagsterInstance.get()
    else:
        # Nobody watches an ephemeral instance's partition statuses: one "planned" event per
        # asset instead of one per asset and file saves seconds per hundred files. Only for
        # this run: a process that calls `main` goes on with its own settings.
        settings["DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"] = "true"
        instance = DagsterInstance.ephemeral()
    with instance, environment(settings):
        plan = IngestPlan.make(instance, paths, database, year, everything)
        print(plan.describe(), file=sys.stderr)
        result = job.execute_in_process(
            instance=instance,
            run_config={"loggers": {"progress": {}}},
            raise_on_error=False,
            **plan.execution(),
        )
    failures = [event for event in result.all_events if event.is_step_failure]
    files_failed = only_files_failed({event.step_key for event in failures})
    if not result.success and not files_failed:
        reason = failures[0].step_failure_data.error.message.strip() if failures else "see the run's events"
        print(f"ingest failed: {reason}", file=sys.stderr)
        return 1
    counts = plan.warehouse.mart_row_counts()
    print(
        f"ingested {counts['digests']} files into {database} in {time.monotonic() - started:.1f}s: "
        f"{counts['papers']} papers, {counts['quarantine']} quarantined items"
    )
    print("  " + ", ".join(f"marts.{name}: {count}" for name, count in counts.items()))
    if files_failed:
        print(failures[0].step_failure_data.user_failure_data.description, file=sys.stderr)
        return 1
    return 0


@dataclass(frozen=True)
class IngestPlan:
    """What one `ingest` run covers: a range of file partitions and the marts, or the marts alone."""

    warehouse: "Warehouse"
    files: int
    todo: int
    span: tuple[str, str] | None

    @classmethod
    def make(cls, instance, paths: Sequence[str], database: str, year: int | None, everything: bool):
        """Register a partition per file (and drop those of files gone from `paths`), then pick the
        files whose content or pipeline version differs from what is staged (or all of them)."""
        from digest_pipeline.assets import DIGEST_FILES
        from digest_pipeline.sources import covers, find_digest_files
        from digest_pipeline.storage import Warehouse
        from digest_pipeline.tables import stale_files
        from digest_pipeline.watching import partition_ranges

        files = {str(file.path): file for file in find_digest_files(paths)}
        warehouse = Warehouse(Path(database).resolve())
        todo = set(files) if everything else stale_files(files.values(), warehouse.staged_versions(), year)
        known = set(instance.get_dynamic_partitions(DIGEST_FILES.name))
        for key in known:
            if key not in files and covers(paths, Path(key)):
                instance.delete_dynamic_partition(DIGEST_FILES.name, key)
        # An instance that is kept (DAGSTER_HOME) lists every file; a throwaway one needs only
        # the partitions this run covers.
        wanted = files if not instance.is_ephemeral else sorted(todo)
        instance.add_dynamic_partitions(DIGEST_FILES.name, [key for key in wanted if key not in known])
        # A run covers one range of partitions: the first to the last file to do. Files
        # registered earlier by another run may sit in between; they are simply redone.
        ranges = partition_ranges(instance.get_dynamic_partitions(DIGEST_FILES.name), todo)
        span = (ranges[0][0], ranges[-1][1]) if ranges else None
        return cls(warehouse, len(files), len(todo), span)

    def describe(self) -> str:
        if self.span is None:
            return f"{self.files} files, none new or changed: rebuilding the marts"
        return f"{self.files} files, {self.todo} new or changed: ingesting them and rebuilding the marts"

    def execution(self) -> dict:
        """Arguments to `execute_in_process` for this plan."""
        from digest_pipeline.sensors import run_target

        return run_target(self.span)


def evaluate(gold: Path, as_json: bool, errors_shown: int) -> int:
    import json

    from digest_pipeline.extraction.evaluate import evaluate_file, format_report

    report, errors = evaluate_file(gold)
    if as_json:
        print(json.dumps(report, indent=2))
        return 0
    print(format_report(report))
    for title, items in (
        ("false positives", errors.false_positives),
        ("false negatives", errors.false_negatives),
    ):
        if errors_shown and items:
            print(f"\n{title} ({len(items)}; first {min(errors_shown, len(items))}):")
            for item in items[:errors_shown]:
                print(f"  {item['label']:<8}{item['text']!r:<40} {item['id']}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    from digest_pipeline.resources import default_database

    parser = argparse.ArgumentParser(prog="digest-pipeline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    ingest_parser = commands.add_parser("ingest", help="Materialise the asset graph over digest files.")
    ingest_parser.add_argument(
        "paths", nargs="*", default=["seeds"], help="Folders or files (default: seeds/)."
    )
    ingest_parser.add_argument(
        "--db",
        default=default_database(),
        help="DuckDB file (default: $DIGEST_PIPELINE_DB or data/digests.duckdb).",
    )
    ingest_parser.add_argument("--year", type=int, help="Year for digests whose dates carry none (format B).")
    ingest_parser.add_argument(
        "--all", action="store_true", dest="everything", help="Re-ingest every file, changed or not."
    )
    evaluate_parser = commands.add_parser("evaluate", help="Score the extractor on a gold file (JSON Lines).")
    evaluate_parser.add_argument(
        "--gold", type=Path, required=True, help="Gold annotations, one text per line."
    )
    evaluate_parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    evaluate_parser.add_argument(
        "--errors", type=int, default=0, metavar="N", help="Also list N false positives and negatives."
    )
    args = parser.parse_args(argv)
    if args.command == "evaluate":
        if not args.gold.is_file():
            parser.error(f"no such gold file: {args.gold}")
        return evaluate(args.gold, args.json, args.errors)
    if args.command == "ingest":
        missing = [path for path in args.paths if not Path(path).exists()]
        if missing:
            parser.error(f"no such file or folder: {', '.join(missing)}")
        return ingest(args.paths, args.db, args.year, args.everything)
    return 2


if __name__ == "__main__":
    sys.exit(main())
