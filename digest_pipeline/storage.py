"""The DuckDB warehouse: per-file staging rows and the analyst marts built from them.

All database access goes through `Warehouse`, so the marts' backend can change
without touching the Dagster assets.

Two files. The pipeline writes only its working file (`.NAME.work.duckdb` beside
the analyst file): staging tables hold each digest file's rows, replaced as a unit
when the file's content changes. Rows staged for a file wait in the `pending` schema
until its extracted tables are all there, and then replace its staging rows in one
transaction: the marts never mix a file's new text with the entities of its old text.
The marts are built from staging straight into a new file that atomically replaces the
analyst file (`os.replace`). Analysts keep the
analyst file open read-only while the pipeline runs; a connection sees the marts of
the file it opened, whole, and the next connection sees the new ones. A crash leaves the analyst
file as it was; the next run removes the half-written new file and publishes again.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from digest_pipeline.schemas import (
    EXTRACTED_TABLES,
    MART_TABLES,
    PARSED_TABLES,
    STAGING_TABLES,
    descriptions,
    polars_schema,
)

logger = logging.getLogger(__name__)

LOCK_WAIT_SECONDS = 30.0
LOCK_POLL_SECONDS = 0.5
# Pipeline runs take turns (sensor, schedule and UI runs may overlap); one may take minutes.
WRITER_WAIT_SECONDS = 600.0


class WarehouseLocked(RuntimeError):
    """Another process holds the DuckDB file open for writing."""


class StagingLost(RuntimeError):
    """The staging rows behind the marts are gone (the working file was broken and set aside,
    or removed, or made by an older pipeline): every digest file has to be staged again before
    the marts are published."""


NOT_A_DATABASE = "not a valid DuckDB database"


@dataclass(frozen=True)
class Rebuilt:
    removed: int  # files whose rows were dropped: they left the input folders
    waiting: list[str]  # present files not staged in full: in the marts as last staged in full, if ever


class Warehouse:
    def __init__(
        self,
        path: str | Path,
        lock_wait_seconds: float = LOCK_WAIT_SECONDS,
        writer_wait_seconds: float = WRITER_WAIT_SECONDS,
    ):
        self.path = Path(path)
        self.lock_wait_seconds = lock_wait_seconds
        self.writer_wait_seconds = writer_wait_seconds
        self.writer_lock_path = self.path.with_name(f".{self.path.name}.lock")
        self.work_path = self.path.with_name(f".{self.path.stem}.work{self.path.suffix}")
        self.publishing_path = self.path.with_name(f".{self.path.name}.publishing")
        # Made when staging rows are lost, holding the reason: marts are not published until
        # every digest file has been staged again, so none go out missing rows.
        self.restage_path = self.work_path.with_name(f"{self.work_path.name}.restage")
        self._writing = False  # whether this instance holds the writer's turn

    @contextmanager
    def connect(
        self, read_only: bool = False, path: Path | None = None
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open a file (default: the analyst file), waiting a bounded time for another writer."""
        path = path or self.path
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.lock_wait_seconds
        while True:
            try:
                connection = duckdb.connect(str(path), read_only=read_only)
                break
            except duckdb.IOException as error:
                if path == self.work_path and NOT_A_DATABASE in str(error):
                    aside = self._set_aside_broken_work_file(error)
                    raise StagingLost(
                        f"{self.work_path} was not a DuckDB database ({error}); "
                        f"{f'it is kept as {aside.name}' if aside else 'another run set it aside'}. Every "
                        "digest file is staged again: the folder sensor asks for that by itself, or run "
                        "`digest-pipeline ingest`. The marts are published again once every file is "
                        "staged; until then the analyst file stays as it was."
                    ) from error
                if "lock" not in str(error).lower():
                    raise
                if time.monotonic() > deadline:
                    raise WarehouseLocked(
                        f"{path} is held open for writing by another process ({error}). Close "
                        "that connection (analysts open the file read-only: `duckdb -readonly`, "
                        "`duckdb.connect(path, read_only=True)`) and run again; nothing was changed."
                    ) from error
                time.sleep(LOCK_POLL_SECONDS)
        try:
            yield connection
        finally:
            connection.close()

    @contextmanager
    def writer_turn(self) -> Iterator[None]:
        """One pipeline run at a time writes and publishes: an OS lock on a file beside the
        analyst file, released by the OS even when the run is killed."""
        self.writer_lock_path.parent.mkdir(parents=True, exist_ok=True)
        with self.writer_lock_path.open("a") as handle:
            deadline = time.monotonic() + self.writer_wait_seconds
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise WarehouseLocked(
                            f"another pipeline run has been writing {self.path} for over "
                            f"{self.writer_wait_seconds:.0f} s; let it finish and run again"
                        ) from None
                    time.sleep(LOCK_POLL_SECONDS)
            self._writing = True
            try:
                yield
            finally:
                self._writing = False
                fcntl.flock(handle, fcntl.LOCK_UN)

    def staged_versions(self) -> dict[str, tuple[str, str]]:
        """Each staged file's content hash and the pipeline version that parsed it."""
        if not self.work_path.exists():
            return {}
        try:
            with self.connect(path=self.work_path) as db:
                if _staging_columns(db) != STAGING_COLUMNS:
                    return {}  # none yet, or made by an older pipeline: every file is staged again
                # A file staged in part, or with rows pending (a run that died midway, or one
                # still staging it), is staged again.
                rows = db.execute(
                    f"SELECT file_path, content_hash, parsed_with FROM staging.digests "
                    f"WHERE file_path IN ({COMPLETE_FILES.format(schema='staging')}) "
                    "AND file_path NOT IN (SELECT file_path FROM pending.staged)"
                ).fetchall()
        except StagingLost:
            return {}  # every file is staged again
        return {path: (digest, parsed_with) for path, digest, parsed_with in rows}

    def pending_files(self) -> list[tuple[str, str]] | None:
        """The files whose staged rows wait in `pending` (see `stage`), with each generation
        waiting: none once every run has finished, unless runs overlapped on a file or died.
        None when the working file cannot be read now (held by a run, or broken)."""
        if not self.work_path.exists():
            return []
        # Not through `connect`: a look must neither wait for a run holding the file nor set a
        # broken one aside (the runs do, and say so).
        try:
            with duckdb.connect(str(self.work_path), read_only=True) as db:
                if _staging_columns(db) != STAGING_COLUMNS:
                    return []  # every file is staged again anyway
                return db.execute(
                    "SELECT DISTINCT file_path, generation FROM pending.staged ORDER BY ALL"
                ).fetchall()
        except duckdb.Error:
            return None

    def work_file_identity(self) -> list[int] | None:
        """The working file's device and inode, or None without one: a file that was set aside
        or deleted comes back as a new inode with none of the old staging rows."""
        try:
            stat = self.work_path.stat()
        except FileNotFoundError:
            return None
        return [stat.st_dev, stat.st_ino]

    def mark_staging_lost(self, reason: str, again: bool = True) -> list[int] | None:
        """Record that staging rows behind the marts were lost, and why, for the folder sensor
        (which then asks for every file) and for people; returns the record's identity
        (`staging_lost`). Each loss gets a new record, unless `again` is false and one is there
        already: the same loss, seen from elsewhere. Publishing does not need the record: it
        checks what was published against what is staged (`rebuild`)."""
        if again or self.staging_lost() is None:
            written = self.restage_path.with_name(f"{self.restage_path.name}.{os.getpid()}")
            written.write_text(reason, encoding="utf-8")
            os.replace(written, self.restage_path)  # a new inode, with its reason in it
        return self.staging_lost()

    def staging_lost(self) -> list[int] | None:
        """The inode and time of the record of the latest loss of staging rows, while one is
        there (it is removed on publishing every file again)."""
        try:
            stat = self.restage_path.stat()
        except FileNotFoundError:
            return None
        return [stat.st_ino, stat.st_mtime_ns]

    def _set_aside_broken_work_file(self, error: duckdb.Error) -> Path | None:
        """The working file is the pipeline's alone and is remade from the digest files, so a
        broken one (overwritten, truncated) is kept aside for a person, under a name of its own,
        and every file is staged again; it is not deleted, in case someone wants to see what
        happened to it. Returns where it went, or None when another run set it aside first."""
        suffix = f".{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}.broken"
        with nullcontext() if self._writing else self.writer_turn():
            if not _is_broken(self.work_path):
                return None
            self.mark_staging_lost(f"{self.work_path} was not a DuckDB database")
            for path in (self.work_path, self.work_path.with_name(f"{self.work_path.name}.wal")):
                if path.exists():
                    os.replace(path, path.with_name(path.name + suffix))
        aside = self.work_path.with_name(self.work_path.name + suffix)
        logger.warning(
            "%s is not a DuckDB database (%s); moved it to %s and staging every file again",
            self.work_path,
            error,
            aside.name,
        )
        return aside

    def _record_missing_work_file(self) -> bool:
        """Whether the working file is missing; if marts were published from it, its loss is
        recorded (once: the same loss may be seen by several runs and the sensor)."""
        if self.work_path.exists():
            return False
        if self.path.exists():
            self.mark_staging_lost(f"{self.work_path} was removed", again=False)
        return True

    @contextmanager
    def _staging(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The working file with its staging tables. A working file made anew while an analyst
        file exists, or staging tables an older pipeline made, have lost the rows behind the
        marts: dropped, so that every file is staged again."""
        self._record_missing_work_file()
        with self.connect(path=self.work_path) as db:
            existing = _staging_columns(db)
            if existing and existing != STAGING_COLUMNS:
                self.mark_staging_lost(
                    f"the staging tables in {self.work_path} were made by an older pipeline"
                )
                for schema in STAGING_SCHEMAS:
                    db.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            _create_staging(db)
            yield db

    def stage(
        self, tables: dict[str, pl.DataFrame], file_paths: list[str], generation: str | None = None
    ) -> None:
        """Replace the rows of `file_paths` in each table with the given rows, in one transaction:
        a file's rows are replaced as a unit, never duplicated or half-written. `generation` names
        the run that stages them.

        Dagster stages each table in a step of its own, and the marts are built from staging alone:
        a file's rows wait in `pending` until they are whole and agree, then replace its staging
        rows. Whole: every extracted table from one run, and every parsed table from one run or
        none (a parse step that died midway, or two that overlapped, leave the file pending).
        Agreeing: the extracted rows were made from the rows that staging will hold (`read_staging`
        records what each run read), so rows extracted from a file's old text never go out beside
        its new text, whichever of two runs stages last."""
        generation = generation or uuid.uuid4().hex
        with self.writer_turn(), self._staging() as db:
            db.execute("BEGIN TRANSACTION")
            _register_paths(db, "replaced", file_paths)
            for name, frame in tables.items():
                name = _staging_name(name)
                db.execute(f"DELETE FROM pending.{name} WHERE file_path IN (SELECT file_path FROM replaced)")
                db.register("rows", frame)
                db.execute(f"INSERT INTO pending.{name} BY NAME SELECT * FROM rows")
                db.unregister("rows")
                # Which tables hold each file's rows, even none.
                db.execute(
                    "DELETE FROM pending.staged WHERE table_name = ? AND file_path IN (SELECT file_path FROM replaced)",
                    [name],
                )
                db.execute(
                    "INSERT INTO pending.staged SELECT file_path, ?, ? FROM replaced", [name, generation]
                )
            if tables.keys() & EXTRACTED_TABLES.keys():
                db.execute("DELETE FROM pending.basis WHERE file_path IN (SELECT file_path FROM replaced)")
                db.execute(
                    "INSERT INTO pending.basis SELECT file_path, table_name, generation FROM pending.reads "
                    "WHERE reader = ? AND file_path IN (SELECT file_path FROM replaced)",
                    [generation],
                )
            ready = [path for (path,) in db.execute(READY_FILES).fetchall()]
            _register_paths(db, "ready", ready)
            for name in STAGING_TABLES:
                moving = (
                    f"SELECT file_path FROM pending.staged WHERE table_name = {_literal(name)} "
                    "AND file_path IN (SELECT file_path FROM ready)"
                )
                db.execute(f"DELETE FROM staging.{name} WHERE file_path IN ({moving})")
                db.execute(
                    f"INSERT INTO staging.{name} BY NAME "
                    f"SELECT * FROM pending.{name} WHERE file_path IN (SELECT file_path FROM ready)"
                )
                db.execute(
                    f"DELETE FROM staging.staged WHERE table_name = {_literal(name)} AND file_path IN ({moving})"
                )
            db.execute(
                "INSERT INTO staging.staged SELECT * FROM pending.staged WHERE file_path IN (SELECT file_path FROM ready)"
            )
            for name in [*STAGING_TABLES, "staged", "basis"]:
                db.execute(f"DELETE FROM pending.{name} WHERE file_path IN (SELECT file_path FROM ready)")
            db.execute(
                "DELETE FROM pending.reads WHERE reader = ? AND file_path IN (SELECT file_path FROM ready)",
                [generation],
            )
            db.execute("COMMIT")

    def read_staging(
        self, name: str, file_paths: list[str] | None = None, reader: str | None = None
    ) -> pl.DataFrame:
        """A staging table's rows, for the given files or all: a file's pending rows if it has
        any (a run's later steps read what its earlier steps staged), else its staging rows.
        `reader` names the run reading them, which `stage` then knows its rows were made from."""
        if self._record_missing_work_file():
            raise StagingLost(
                f"{self.work_path} does not exist, so no staged rows can be read; stage the digest files "
                "again (the folder sensor asks for every file when the working file is gone, or run "
                "`digest-pipeline ingest`)"
            )
        name = _staging_name(name)
        with self.connect(path=self.work_path) as db:
            existing = _staging_columns(db)
            if existing == STAGING_COLUMNS:
                return _staged_rows(db, name, file_paths, reader)
        # None yet, or made by an older pipeline: `_staging` records that loss once and makes them anew.
        with self.writer_turn(), self._staging() as db:
            if existing:
                raise StagingLost(
                    f"the staging tables in {self.work_path} were made by an older pipeline; stage the "
                    "digest files again (the folder sensor asks for every file, or run `digest-pipeline ingest`)"
                )
            return _staged_rows(db, name, file_paths, reader)

    def rebuild(self, roots: list[str], present: list[str] | Callable[[], list[str]]) -> Rebuilt:
        """Drop the staging rows of files under `roots` that are no longer `present`, rebuild
        the marts from staging and publish them. `present` may be a function, called once this
        run's turn to write has come: a file that arrived while it waited is not taken for removed.

        Marts missing rows are never published: every file the analyst file holds that is still
        present (or outside `roots`) must be staged in full. It is not, after staging rows were
        lost, until every such file is staged again. A present file not yet staged in full (a
        run is still staging it, or failed to) waits for a later publication; the result names it."""
        with self.writer_turn():
            present = present() if callable(present) else present
            published = self._published_files()
            with self._staging() as db:
                db.execute("BEGIN TRANSACTION")
                _register_paths(db, "present", present)
                db.register("roots", pl.DataFrame({"root": roots}, schema={"root": pl.String}))
                removed = [
                    path
                    for (path,) in db.execute(
                        f"""
                        SELECT DISTINCT file_path FROM (
                            SELECT file_path FROM staging.staged UNION SELECT file_path FROM pending.staged
                        )
                        WHERE file_path NOT IN (SELECT file_path FROM present)
                          AND {UNDER_ROOTS}
                        ORDER BY file_path
                        """
                    ).fetchall()
                ]
                _register_paths(db, "removed", removed)
                for schema, bookkeeping in BOOKKEEPING.items():
                    for name in [*STAGING_TABLES, *bookkeeping]:
                        db.execute(
                            f"DELETE FROM {schema}.{name} WHERE file_path IN (SELECT file_path FROM removed)"
                        )
                db.execute(f"DELETE FROM pending.reads WHERE read_at < now() - {READS_KEPT}")
                # The marts live in the analyst file only (older versions kept a copy here).
                db.execute("DROP SCHEMA IF EXISTS marts CASCADE")
                db.execute("COMMIT")
                _register_paths(db, "published", published)
                unstaged = [
                    (path, present_here)
                    for path, present_here in db.execute(
                        f"""
                        SELECT file_path, file_path IN (SELECT file_path FROM present) FROM published
                        WHERE file_path NOT IN (SELECT file_path FROM removed)
                          AND file_path NOT IN ({COMPLETE_FILES.format(schema="staging")})
                          AND (file_path IN (SELECT file_path FROM present)
                               OR NOT {UNDER_ROOTS})
                        ORDER BY file_path
                        """
                    ).fetchall()
                ]
                # Not staged in full, or with newer rows still pending: published as before, if at all.
                waiting = [
                    path
                    for (path,) in db.execute(
                        f"SELECT file_path FROM present WHERE file_path NOT IN ({COMPLETE_FILES.format(schema='staging')}) "
                        "OR file_path IN (SELECT file_path FROM pending.staged) ORDER BY file_path"
                    ).fetchall()
                ]
            # A published file outside this run's folders that no longer exists cannot be staged
            # again: it is gone, as a removed file is.
            unstaged = [path for path, present_here in unstaged if present_here or Path(path).exists()]
            if unstaged:
                reason = self.restage_path.read_text(encoding="utf-8") if self.restage_path.exists() else ""
                raise StagingLost(
                    f"{len(unstaged)} of the {len(published)} digest files in {self.path} are not staged "
                    f"in full (first {unstaged[0]}){f' since {reason}' if reason else ''}; the marts are "
                    "published again once they are: `digest-pipeline ingest` on their folders stages "
                    "them, and the folder sensor asks for every file when it sees a loss"
                )
            self.publish()
            self.restage_path.unlink(missing_ok=True)
        return Rebuilt(len(removed), waiting)

    def _published_files(self) -> list[str]:
        """The digest files the analyst file holds."""
        if not self.path.exists():
            return []
        with self.connect(read_only=True) as db:
            if not db.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = 'digests'"
            ).fetchone()[0]:
                return []
            return [path for (path,) in db.execute("SELECT file_path FROM marts.digests").fetchall()]

    def publish(self) -> None:
        """Build the marts from the working file's staging rows straight into a new analyst file,
        then swap it in atomically."""
        self.publishing_path.unlink(missing_ok=True)  # left by a run that was killed
        with self.connect(path=self.publishing_path) as out:
            out.execute(f"ATTACH {_literal(str(self.work_path))} AS work (READ_ONLY)")
            # MART_SQL reads `staging.*`: here, views of the working file's staging tables, of the
            # files staged in full (one a run is still staging waits for the next publication).
            out.execute("CREATE SCHEMA staging")
            complete = COMPLETE_FILES.format(schema="work.staging")
            for name in STAGING_TABLES:
                out.execute(
                    f"CREATE VIEW staging.{name} AS SELECT * FROM work.staging.{name} WHERE file_path IN ({complete})"
                )
            _build_marts(out)
            out.execute("DROP SCHEMA staging CASCADE")
            out.execute("DETACH work")
            out.execute(CATALOG_VIEW)
            out.execute("CHECKPOINT")
        if self.path.exists():
            # Readers share the file; a process holding it read-write would lose its writes
            # to the swap, so wait for it to let go (or fail, telling who holds it).
            with self.connect(read_only=True):
                pass
        os.replace(self.publishing_path, self.path)

    def read_mart(self, name: str, limit: int | None = None) -> pl.DataFrame:
        with self.connect(read_only=True) as db:
            mart = db.sql(f"SELECT * FROM marts.{_mart_name(name)}")
            return (mart.limit(limit) if limit is not None else mart).pl()

    def mart_samples(self, rows: int) -> dict[str, tuple[int, pl.DataFrame]]:
        """Every mart's row count and its first `rows` rows, read through one connection."""
        with self.connect(read_only=True) as db:
            return {
                name: (
                    db.execute(f"SELECT count(*) FROM marts.{name}").fetchall()[0][0],
                    db.sql(f"SELECT * FROM marts.{name}").limit(rows).pl(),
                )
                for name in MART_TABLES
            }

    def mart_row_counts(self) -> dict[str, int]:
        return {name: count for name, (count, _) in self.mart_samples(rows=0).items()}


def _mart_name(name: str) -> str:
    if name not in MART_TABLES:
        raise KeyError(f"no mart named {name!r}; marts are {sorted(MART_TABLES)}")
    return name


def _literal(text: str) -> str:
    """Quote our own text (descriptions, the configured file's path) as a SQL literal, where
    DuckDB takes no parameters (COMMENT ON, ATTACH)."""
    return "'" + text.replace("'", "''") + "'"


# A file's table, by the generation (run) that staged it.
BY_GENERATION = {"file_path": "VARCHAR", "table_name": "VARCHAR", "generation": "VARCHAR"}
# Staged rows, and rows waiting to replace them (see `Warehouse.stage`): the staging tables in
# each, and beside them the bookkeeping of each schema: which tables hold each file's rows; in
# `pending` also which rows a file's pending extracted rows were made from (their basis), and
# which rows each run read.
BOOKKEEPING = {
    "staging": {"staged": BY_GENERATION},
    "pending": {
        "staged": BY_GENERATION,
        "basis": BY_GENERATION,
        "reads": {"reader": "VARCHAR", **BY_GENERATION, "read_at": "TIMESTAMP WITH TIME ZONE"},
    },
}
STAGING_SCHEMAS = tuple(BOOKKEEPING)
# A run that read rows and never staged what it made of them (it died) leaves its reads behind.
READS_KEPT = "INTERVAL 1 DAY"


def _create_staging(db: duckdb.DuckDBPyConnection) -> None:
    """Create the staging tables (from the pandera models) and the bookkeeping beside them."""
    for schema, bookkeeping in BOOKKEEPING.items():
        db.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        for name, model in STAGING_TABLES.items():
            db.register("template", pl.DataFrame(schema=polars_schema(model)))
            db.execute(f"CREATE TABLE IF NOT EXISTS {schema}.{name} AS SELECT * FROM template")
            db.unregister("template")
        for name, columns in bookkeeping.items():
            listed = ", ".join(f"{column} {kind}" for column, kind in columns.items())
            db.execute(f"CREATE TABLE IF NOT EXISTS {schema}.{name} ({listed})")


# Each file's newest generation of each table: its pending one, else its staging one.
NEWEST_GENERATIONS = """
    SELECT file_path, table_name, generation FROM pending.staged
    UNION ALL
    SELECT file_path, table_name, generation FROM staging.staged s WHERE NOT EXISTS (
        SELECT 1 FROM pending.staged p WHERE p.file_path = s.file_path AND p.table_name = s.table_name
    )
"""
EXTRACTED_NAMES = ", ".join(map(_literal, EXTRACTED_TABLES))
PARSED_NAMES = ", ".join(map(_literal, PARSED_TABLES))
# The files of a `stage` call (`replaced`) whose pending rows are whole and agree (see `stage`).
READY_FILES = f"""
    WITH whole AS (
        SELECT file_path FROM pending.staged
        WHERE file_path IN (SELECT file_path FROM replaced)
        GROUP BY file_path
        HAVING count(DISTINCT table_name) FILTER (
                   WHERE table_name IN ({EXTRACTED_NAMES})
               ) = {len(EXTRACTED_TABLES)}
           AND count(DISTINCT generation) FILTER (
                   WHERE table_name IN ({EXTRACTED_NAMES})
               ) = 1
           AND count(DISTINCT table_name) FILTER (
                   WHERE table_name IN ({PARSED_NAMES})
               ) IN (0, {len(PARSED_TABLES)})
           AND count(DISTINCT generation) FILTER (
                   WHERE table_name IN ({PARSED_NAMES})
               ) <= 1
    ),
    newest AS ({NEWEST_GENERATIONS})
    SELECT file_path FROM whole WHERE NOT EXISTS (
        SELECT 1 FROM pending.basis b LEFT JOIN newest n USING (file_path, table_name)
        WHERE b.file_path = whole.file_path AND n.generation IS DISTINCT FROM b.generation
    )
"""


# A file under one of the registered `roots`: the root itself, or a file directly in it.
UNDER_ROOTS = "EXISTS (SELECT 1 FROM roots r WHERE file_path = r.root OR parse_dirpath(file_path) = r.root)"

# The files every staging table holds (`stage` records them in `staged`, rows or none).
COMPLETE_FILES = (
    "SELECT file_path FROM {schema}.staged GROUP BY file_path "
    f"HAVING count(DISTINCT table_name) = {len(STAGING_TABLES)}"
)

STAGING_COLUMNS = {
    (schema, name, column)
    for schema, bookkeeping in BOOKKEEPING.items()
    for name, columns in {
        **{name: polars_schema(model) for name, model in STAGING_TABLES.items()},
        **bookkeeping,
    }.items()
    for column in columns
}


def _staged_rows(
    db: duckdb.DuckDBPyConnection, name: str, file_paths: list[str] | None, reader: str | None
) -> pl.DataFrame:
    """See `Warehouse.read_staging`."""
    _register_paths(db, "wanted", file_paths or [])
    wanted = "" if file_paths is None else " AND file_path IN (SELECT file_path FROM wanted)"
    if reader is not None:
        db.execute("BEGIN TRANSACTION")
        db.execute(f"DELETE FROM pending.reads WHERE reader = ? AND table_name = ?{wanted}", [reader, name])
        # A file with no rows yet is read too (as of no generation): rows staged for it later are
        # not what this run's rows were made from.
        files = (
            f"SELECT DISTINCT file_path FROM ({NEWEST_GENERATIONS})"
            if file_paths is None
            else "SELECT file_path FROM wanted"
        )
        db.execute(
            f"""
            INSERT INTO pending.reads
            SELECT ?, f.file_path, ?, n.generation, now() FROM ({files}) f
            LEFT JOIN ({NEWEST_GENERATIONS}) n ON n.file_path = f.file_path AND n.table_name = ?
            """,
            [reader, name, name],
        )
    rows = db.sql(
        f"""
        SELECT * FROM pending.{name} WHERE true{wanted}
        UNION ALL BY NAME
        SELECT * FROM staging.{name} WHERE file_path NOT IN (
            SELECT file_path FROM pending.staged WHERE table_name = {_literal(name)}
        ){wanted}
        """
    ).pl()
    if reader is not None:
        db.execute("COMMIT")
    return rows


def _register_paths(db: duckdb.DuckDBPyConnection, name: str, paths: list[str]) -> None:
    """A list of file paths as a table `name` for the next queries."""
    db.register(name, pl.DataFrame({"file_path": paths}, schema={"file_path": pl.String}))


def _is_broken(work_path: Path) -> bool:
    """Whether the file is there and is not a DuckDB database."""
    if not work_path.exists():
        return False
    try:
        duckdb.connect(str(work_path)).close()
    except duckdb.IOException as error:
        return NOT_A_DATABASE in str(error)
    return False


def _staging_columns(db: duckdb.DuckDBPyConnection) -> set[tuple[str, str, str]]:
    return set(
        db.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            f"WHERE schema_name IN ({', '.join(map(_literal, STAGING_SCHEMAS))})"
        ).fetchall()
    )


def _staging_name(name: str) -> str:
    if name not in STAGING_TABLES:
        raise KeyError(f"no staging table named {name!r}; they are {sorted(STAGING_TABLES)}")
    return name


# In build order: later marts read earlier ones. The row-per-text marts (sections,
# mentions, results) are not sorted: sorting their text took longer than building them.
MART_SQL = {
    "digests": "SELECT * FROM staging.digests",
    "quarantine": "SELECT * FROM staging.quarantine UNION ALL BY NAME SELECT * FROM staging.failed_texts",
    # A paper is its arXiv id. Entries without one (format B) take the id of an
    # entry with the same normalised title, or one that is that title cut short
    # by a character or two (format C truncates), else a hash of the title.
    "paper_appearances": """
        WITH known AS (
            SELECT title_key, min(arxiv_id) AS arxiv_id
            FROM staging.paper_appearances WHERE arxiv_id IS NOT NULL GROUP BY title_key
        ),
        probes AS (
            SELECT title_key, unnest([0, 1, 2]) AS cut
            FROM (SELECT DISTINCT title_key FROM staging.paper_appearances WHERE arxiv_id IS NULL)
        ),
        matched AS (
            SELECT p.title_key, arg_min(k.arxiv_id, p.cut) AS arxiv_id
            FROM probes p
            JOIN known k ON k.title_key = rtrim(left(p.title_key, length(p.title_key) - p.cut))
            WHERE p.cut = 0 OR length(k.title_key) >= 20
            GROUP BY p.title_key
        )
        SELECT a.*,
               coalesce(a.arxiv_id, m.arxiv_id, 't-' || left(sha256(a.title_key), 16)) AS paper_id,
               d.digest_date
        FROM staging.paper_appearances a
        JOIN staging.digests d USING (file_path)
        LEFT JOIN matched m USING (title_key)
        ORDER BY a.file_path, a.position
    """,
    "papers": """
        SELECT paper_id,
               CASE WHEN paper_id LIKE 't-%' THEN NULL ELSE paper_id END AS arxiv_id,
               arg_max(title, length(title)) AS title,
               arg_max(abstract, length(abstract)) AS abstract,
               min(digest_date) AS first_digest_date,
               max(digest_date) AS last_digest_date,
               count(DISTINCT file_path)::BIGINT AS appearance_count,
               max(votes) AS max_votes,
               bool_or(authors_truncated) AS authors_truncated,
               bool_or(summary_mismatch) AS summary_mismatch
        FROM marts.paper_appearances GROUP BY paper_id ORDER BY paper_id
    """,
    # Authorship comes from the fullest author list any digest shows for the paper.
    "paper_authors": """
        WITH chosen AS (
            SELECT paper_id, file_path, position, authors_truncated
            FROM marts.paper_appearances WHERE author_count > 0
            QUALIFY row_number() OVER (
                PARTITION BY paper_id ORDER BY author_count DESC, file_path, position) = 1
        )
        SELECT c.paper_id,
               'a-' || left(md5(lower(regexp_replace(trim(nfc_normalize(pa.name)), '\\s+', ' ', 'g'))), 16)
                   AS author_id,
               pa.author_position,
               pa.name,
               c.authors_truncated AS list_truncated
        FROM chosen c JOIN staging.paper_authors pa USING (file_path, position)
        ORDER BY c.paper_id, pa.author_position
    """,
    # Spellings of one author differ only in case and spacing; the most used one names them.
    "authors": """
        SELECT author_id, mode(name) AS name, count(DISTINCT paper_id)::BIGINT AS paper_count
        FROM marts.paper_authors GROUP BY author_id ORDER BY author_id
    """,
    "paper_sections": """
        SELECT s.*, a.paper_id
        FROM staging.paper_sections s JOIN marts.paper_appearances a USING (file_path, position)
    """,
    "entity_mentions": """
        SELECT m.*, a.paper_id, a.digest_date
        FROM staging.entity_mentions m JOIN marts.paper_appearances a USING (file_path, position)
    """,
    "results": """
        SELECT r.*, a.paper_id, a.digest_date
        FROM staging.results r JOIN marts.paper_appearances a USING (file_path, position)
    """,
    "entities": """
        SELECT entity_id,
               any_value(entity_type) AS entity_type,
               mode(canonical_name) AS canonical_name,
               max(family) AS family,
               max(parameter_count) AS parameter_count,
               string_agg(DISTINCT surface_text, ' | ' ORDER BY surface_text) AS aliases_seen,
               min(digest_date) AS first_digest_date,
               max(digest_date) AS last_digest_date,
               count(DISTINCT paper_id)::BIGINT AS paper_count,
               count(*)::BIGINT AS mention_count
        FROM marts.entity_mentions GROUP BY entity_id ORDER BY entity_id
    """,
    "entity_trends": """
        SELECT entity_id, entity_type, any_value(canonical_name) AS canonical_name, digest_date,
               strftime(digest_date, '%G-W%V') AS iso_week,
               count(*)::BIGINT AS mentions, count(DISTINCT paper_id)::BIGINT AS papers
        FROM marts.entity_mentions GROUP BY entity_id, entity_type, digest_date
        ORDER BY digest_date, entity_type, mentions DESC, entity_id
    """,
    "top_entities": """
        SELECT entity_type, rank() OVER (PARTITION BY entity_type ORDER BY paper_count DESC)::BIGINT AS rank,
               entity_id, canonical_name, paper_count, mention_count
        FROM marts.entities
        QUALIFY rank <= 50
        ORDER BY entity_type, rank, mention_count DESC, entity_id
    """,
    # Best value per paper: the largest, or the smallest where lower is better.
    "results_leaderboard": """
        WITH best AS (
            SELECT dataset, metric, unit, any_value(higher_is_better) AS higher_is_better, paper_id,
                   CASE WHEN any_value(higher_is_better) IS FALSE THEN min(value) ELSE max(value) END AS best_value
            FROM marts.results WHERE dataset IS NOT NULL
            GROUP BY dataset, metric, unit, paper_id
        )
        SELECT b.*,
               (SELECT any_value(r.model) FROM marts.results r
                WHERE r.paper_id = b.paper_id AND r.dataset = b.dataset AND r.metric = b.metric
                  AND r.unit = b.unit AND r.value = b.best_value) AS model,
               rank() OVER (PARTITION BY dataset, metric, unit
                            ORDER BY CASE WHEN higher_is_better IS FALSE THEN best_value ELSE -best_value END)::BIGINT
                   AS rank
        FROM best b ORDER BY dataset, metric, unit, rank, paper_id
    """,
    "model_dataset_cooccurrence": """
        SELECT m.canonical_name AS model, d.canonical_name AS dataset, count(DISTINCT m.paper_id)::BIGINT AS papers
        FROM (SELECT DISTINCT paper_id, canonical_name FROM marts.entity_mentions WHERE entity_type = 'MODEL') m
        JOIN (SELECT DISTINCT paper_id, canonical_name FROM marts.entity_mentions WHERE entity_type = 'DATASET') d
          USING (paper_id)
        GROUP BY ALL ORDER BY papers DESC, model, dataset
    """,
}


def _build_marts(db: duckdb.DuckDBPyConnection) -> None:
    db.execute("CREATE SCHEMA IF NOT EXISTS marts")
    for name in MART_SQL:  # in build order: later marts read earlier ones
        db.execute(f"CREATE OR REPLACE TABLE marts.{name} AS {MART_SQL[name]}")
        _comment(db, name)


CATALOG_VIEW = """
    CREATE VIEW marts.catalog AS
    SELECT table_name AS mart, comment AS description, estimated_size AS approximate_rows
    FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY table_name
"""


def _comment(db: duckdb.DuckDBPyConnection, name: str) -> None:
    table_text, columns = descriptions(MART_TABLES[name])
    db.execute(f"COMMENT ON TABLE marts.{name} IS {_literal(table_text)}")
    for column, text in columns.items():
        db.execute(f"COMMENT ON COLUMN marts.{name}.{column} IS {_literal(text)}")
