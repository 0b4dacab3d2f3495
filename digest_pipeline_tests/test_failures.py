"""Failures around the DuckDB files (issue #7): a deleted or overwritten file, a full disk and a
kill during publication leave the analyst file whole, and the next run loses no rows.

Rows lost are counted against a clean run: every mart's row count must equal it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from digest_pipeline.extraction.tables import extract_entity_tables
from digest_pipeline.schemas import EXTRACTED_TABLES, PARSED_TABLES
from digest_pipeline.sources import find_digest_files
from digest_pipeline.storage import StagingLost, Warehouse
from digest_pipeline_tests.conftest import (
    ARXIV_SAMPLE,
    HF_PAGE_SEED,
    MARKDOWN_SEED,
    REPO,
    load,
    per_file_tables,
    sorted_rows,
)

GARBAGE = b"this is not a database\x00\xff" * 200


def inbox_with(folder: Path, *files: Path) -> Path:
    folder.mkdir(exist_ok=True)
    for file in files:
        shutil.copy(file, folder / file.name)
    return folder


@pytest.fixture
def folder(tmp_path) -> Path:
    return inbox_with(tmp_path / "inbox", MARKDOWN_SEED)


@pytest.fixture(scope="module")
def clean_counts(tmp_path_factory) -> dict[str, dict[str, int]]:
    """Mart row counts of one clean run over the markdown seed, and over all three good files."""
    counts = {}
    for name, files in {"one": [MARKDOWN_SEED], "three": [MARKDOWN_SEED, HF_PAGE_SEED, ARXIV_SAMPLE]}.items():
        warehouse = Warehouse(tmp_path_factory.mktemp(name) / "digests.duckdb")
        load(warehouse, inbox_with(warehouse.path.parent / "inbox", *files))
        counts[name] = warehouse.mart_row_counts()
    return counts


def set_aside(warehouse: Warehouse) -> list[bytes]:
    """The contents of the working files set aside as broken, oldest first."""
    pattern = f"{warehouse.work_path.name}.*Z.broken"  # not the write-ahead log's
    return [path.read_bytes() for path in sorted(warehouse.work_path.parent.glob(pattern))]


def add_the_other_good_files(folder: Path) -> None:
    inbox_with(folder, HF_PAGE_SEED, ARXIV_SAMPLE)


def test_a_deleted_analyst_file_is_made_again_by_the_next_run(folder, tmp_path, clean_counts):
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    load(warehouse, folder)
    warehouse.path.unlink()
    assert load(warehouse, folder).changed_files == 0  # nothing to parse: the marts are republished
    assert warehouse.mart_row_counts() == clean_counts["one"]


def test_an_analyst_file_overwritten_with_garbage_stops_the_run_naming_it_and_is_left_alone(
    folder, tmp_path, clean_counts
):
    # The analyst file may be a file someone pointed the pipeline at by mistake: never overwrite it.
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    load(warehouse, folder)
    warehouse.path.write_bytes(GARBAGE)
    with pytest.raises(duckdb.IOException, match=f'"{warehouse.path}" exists, but it is not a valid DuckDB'):
        load(warehouse, folder)
    assert warehouse.path.read_bytes() == GARBAGE
    warehouse.path.unlink()  # what the error asks a person to do
    load(warehouse, folder)
    assert not warehouse.publishing_path.exists()
    assert warehouse.mart_row_counts() == clean_counts["one"]


@pytest.mark.parametrize("broken", [GARBAGE, b""], ids=["garbage", "empty"])
def test_a_broken_working_file_is_set_aside_and_rebuilt_from_the_digest_files(
    broken, folder, tmp_path, clean_counts, caplog
):
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    load(warehouse, folder)
    warehouse.work_path.write_bytes(broken)
    add_the_other_good_files(folder)
    assert load(warehouse, folder).changed_files == 3  # every file staged again, not just the new
    assert warehouse.mart_row_counts() == clean_counts["three"]
    assert set_aside(warehouse) == [broken]
    assert f"{warehouse.work_path} is not a DuckDB database" in caplog.text


def test_a_working_file_broken_again_is_set_aside_beside_the_first(folder, tmp_path, clean_counts):
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    load(warehouse, folder)
    for broken in (GARBAGE, b"broken again"):
        warehouse.work_path.write_bytes(broken)
        assert load(warehouse, folder).changed_files == 1
    assert set_aside(warehouse) == [GARBAGE, b"broken again"]
    assert warehouse.mart_row_counts() == clean_counts["one"]


@pytest.mark.parametrize("step", ["stage", "read_staging", "rebuild"])
def test_a_broken_working_file_met_by_a_sensor_run_fails_it_naming_the_file_and_keeps_the_marts(
    step, folder, tmp_path, clean_counts
):
    # Sensor and UI runs stage, read and rebuild without asking for the staged versions first.
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    add_the_other_good_files(folder)
    load(warehouse, folder)
    files = find_digest_files([folder])
    present = [str(file.path) for file in files]
    warehouse.work_path.write_bytes(GARBAGE)
    with pytest.raises(StagingLost, match=f"{warehouse.work_path} was not a DuckDB database"):
        if step == "stage":
            warehouse.stage(per_file_tables(files[:1], [str(folder)]), present[:1])
        elif step == "read_staging":
            warehouse.read_staging("files")
        else:
            warehouse.rebuild([str(folder.resolve())], present=present)
    assert set_aside(warehouse) == [GARBAGE]
    # A retried run for one file stages it into a new working file, but publishes nothing
    # until the other files are staged again.
    warehouse.stage(per_file_tables(files[:1], [str(folder)]), present[:1])
    with pytest.raises(StagingLost, match=r"2 of the 3 digest files in .* are not staged in full"):
        warehouse.rebuild([str(folder.resolve())], present=present)
    assert warehouse.mart_row_counts() == clean_counts["three"]
    warehouse.stage(per_file_tables(files[1:], [str(folder)]), present[1:])
    warehouse.rebuild([str(folder.resolve())], present=present)
    assert warehouse.mart_row_counts() == clean_counts["three"]
    assert not warehouse.restage_path.exists()


@pytest.mark.parametrize(
    ("loss", "reason"),
    [("removed", "was removed"), ("older pipeline", "were made by an older pipeline")],
)
def test_marts_missing_rows_are_not_published_after_the_staging_rows_were_lost(
    loss, reason, folder, tmp_path, clean_counts
):
    # A person deleting the working file, or a new pipeline version with other staging columns,
    # loses the rows behind the marts; a run for one file must not publish marts of that file alone.
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    add_the_other_good_files(folder)
    load(warehouse, folder)
    files = find_digest_files([folder])
    present = [str(file.path) for file in files]
    if loss == "removed":
        warehouse.work_path.unlink()
    else:
        with duckdb.connect(str(warehouse.work_path)) as db:
            db.execute("ALTER TABLE staging.files ADD COLUMN retired VARCHAR")
    warehouse.stage(per_file_tables(files[:1], [str(folder)]), present[:1])
    with pytest.raises(
        StagingLost, match=f"2 of the 3 digest files .* not staged in full .* since .* {reason}"
    ):
        warehouse.rebuild([str(folder.resolve())], present=present)
    assert warehouse.mart_row_counts() == clean_counts["three"]
    assert load(warehouse, folder).changed_files == 2  # the two not staged again
    assert warehouse.mart_row_counts() == clean_counts["three"]
    assert not warehouse.restage_path.exists()


def test_a_file_counts_as_staged_again_only_once_every_table_holds_its_rows(folder, tmp_path, clean_counts):
    # Dagster stages each table in its own step: a run that staged every file's raw rows and then
    # died, and a run for one file after it, must not publish marts without the others' papers.
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    add_the_other_good_files(folder)
    load(warehouse, folder)
    files = find_digest_files([folder])
    present = [str(file.path) for file in files]
    tables = per_file_tables(files, [str(folder)])
    warehouse.work_path.unlink()
    warehouse.stage({"files": tables["files"]}, present)
    warehouse.stage(per_file_tables(files[:1], [str(folder)]), present[:1])
    with pytest.raises(StagingLost, match=r"2 of the 3 digest files .* not staged in full"):
        warehouse.rebuild([str(folder.resolve())], present=present)
    assert warehouse.mart_row_counts() == clean_counts["three"]


def test_a_loss_is_made_good_only_by_staging_every_published_file_not_the_run_folders_alone(
    tmp_path, clean_counts
):
    # Folders loaded one at a time into one database: ingesting one of them after a loss must not
    # publish marts of that folder alone.
    first = inbox_with(tmp_path / "first", MARKDOWN_SEED, HF_PAGE_SEED)
    second = inbox_with(tmp_path / "second", ARXIV_SAMPLE)
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    load(warehouse, first)
    load(warehouse, second)
    assert warehouse.mart_row_counts() == clean_counts["three"]
    warehouse.work_path.unlink()
    with pytest.raises(StagingLost, match=f"2 of the 3 digest files .* not staged in full \\(first {first}"):
        load(warehouse, second)
    assert warehouse.mart_row_counts() == clean_counts["three"]
    load(warehouse, first)
    assert warehouse.mart_row_counts() == clean_counts["three"]
    assert not warehouse.restage_path.exists()


def test_a_file_staged_in_part_waits_for_the_next_publication_without_blocking_it(folder, tmp_path):
    # A run still extracting a new file while another publishes: the file's parsed rows must not
    # go out without its entities, nor hold the other runs' publications back.
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    load(warehouse, folder)
    add_the_other_good_files(folder)
    files = find_digest_files([folder])
    present = [str(file.path) for file in files]
    new = [file for file in files if file.path.name != MARKDOWN_SEED.name]
    tables = per_file_tables(new, [str(folder)])
    warehouse.stage(
        {name: tables[name] for name in ("files", *PARSED_TABLES)}, [str(file.path) for file in new]
    )
    rebuilt = warehouse.rebuild([str(folder.resolve())], present=present)
    assert rebuilt.waiting == sorted(str(file.path) for file in new)
    assert warehouse.mart_row_counts()["digests"] == 1
    assert set(warehouse.staged_versions()) == {str(folder / MARKDOWN_SEED.name)}
    warehouse.stage({name: tables[name] for name in EXTRACTED_TABLES}, [str(file.path) for file in new])
    assert warehouse.rebuild([str(folder.resolve())], present=present).waiting == []
    assert warehouse.mart_row_counts()["digests"] == 3


def test_a_changed_file_re_staged_in_part_is_staged_again_by_the_next_ingest(folder, tmp_path, clean_counts):
    # A run for a changed file died after its raw and parsed steps: its entity rows are the old
    # content's. The next `ingest` must stage it again, not take it for staged.
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    shutil.copy(HF_PAGE_SEED, folder / MARKDOWN_SEED.name)
    load(warehouse, folder)
    shutil.copy(MARKDOWN_SEED, folder / MARKDOWN_SEED.name)
    (file,) = find_digest_files([folder])
    tables = per_file_tables([file], [str(folder)])
    warehouse.stage({name: tables[name] for name in ("files", *PARSED_TABLES)}, [str(file.path)], "run-2")
    assert warehouse.staged_versions() == {}
    assert load(warehouse, folder).changed_files == 1
    assert warehouse.mart_row_counts() == clean_counts["one"]


def test_a_changed_file_is_published_as_it_was_until_its_new_entities_are_staged(
    folder, tmp_path, clean_counts
):
    # A run for a changed file is between its parse and extraction steps while another run
    # publishes: the marts must keep the file's old text with its old entities, not show its new
    # text with the old text's entities (offsets into another text).
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    shutil.copy(HF_PAGE_SEED, folder / MARKDOWN_SEED.name)
    load(warehouse, folder)
    marts = ("paper_sections", "entity_mentions", "results", "papers")
    before = {name: sorted_rows(warehouse.read_mart(name)) for name in marts}
    shutil.copy(MARKDOWN_SEED, folder / MARKDOWN_SEED.name)
    (file,) = find_digest_files([folder])
    present = [str(file.path)]
    tables = per_file_tables([file], [str(folder)])
    warehouse.stage({name: tables[name] for name in ("files", *PARSED_TABLES)}, present, "run-2")

    assert warehouse.rebuild([str(folder.resolve())], present=present).waiting == present
    assert all(sorted_rows(warehouse.read_mart(name)).equals(before[name]) for name in marts)
    # The run's extraction step reads the new text.
    new_sections = warehouse.read_staging("paper_sections", present)
    assert sorted_rows(new_sections).equals(sorted_rows(tables["paper_sections"]))
    warehouse.stage({name: tables[name] for name in EXTRACTED_TABLES}, present, "run-2")
    assert warehouse.rebuild([str(folder.resolve())], present=present).waiting == []
    assert warehouse.mart_row_counts() == clean_counts["one"]


def stage_each(warehouse: Warehouse, tables: dict, names, present: list[str], run: str) -> None:
    """Stage the named tables one call each, as the IO manager stages a step's outputs."""
    for name in names:
        warehouse.stage({name: tables[name]}, present, run)


def stage_step(warehouse: Warehouse, folder: Path, names, run: str) -> tuple[list[str], dict]:
    """One Dagster step's staging of the folder's one file."""
    (file,) = find_digest_files([folder])
    tables = per_file_tables([file], [str(folder)])
    stage_each(warehouse, tables, names, [str(file.path)], run)
    return [str(file.path)], tables


def extraction_step(warehouse: Warehouse, present: list[str], run: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """What an extraction step loads through the IO manager."""
    return tuple(
        warehouse.read_staging(name, present, reader=run) for name in ("paper_appearances", "paper_sections")
    )


def published_offsets_spell_their_mentions(warehouse: Warehouse) -> bool:
    texts = {
        (row["file_path"], row["position"], row["section_position"]): row["text"]
        for row in warehouse.read_mart("paper_sections").iter_rows(named=True)
    } | {
        (row["file_path"], row["position"], 0): row["title"]
        for row in warehouse.read_mart("paper_appearances").iter_rows(named=True)
    }
    mentions = warehouse.read_mart("entity_mentions")
    assert mentions.height
    return all(
        texts.get((m["file_path"], m["position"], m["section_position"]), "")[m["start_char"] : m["end_char"]]
        == m["surface_text"]
        for m in mentions.iter_rows(named=True)
    )


def test_entities_extracted_from_a_text_another_run_has_since_replaced_are_not_published(folder, tmp_path):
    # Run R parses version 2 and its extraction step loads it; the file changes and run S parses
    # version 3; R stages version 2's entities and publishes: they must not go out beside version
    # 3's text. S's entities, made from version 3, then replace them.
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    shutil.copy(ARXIV_SAMPLE, folder / MARKDOWN_SEED.name)
    load(warehouse, folder)
    shutil.copy(MARKDOWN_SEED, folder / MARKDOWN_SEED.name)
    present, _ = stage_step(warehouse, folder, ("files", *PARSED_TABLES), "R")
    version_2 = extract_entity_tables(*extraction_step(warehouse, present, "R"))
    shutil.copy(HF_PAGE_SEED, folder / MARKDOWN_SEED.name)
    stage_step(warehouse, folder, ("files", *PARSED_TABLES), "S")
    stage_each(warehouse, version_2, EXTRACTED_TABLES, present, "R")

    assert warehouse.rebuild([str(folder.resolve())], present=present).waiting == present
    assert warehouse.mart_row_counts()["papers"] == 12  # version 1, whole
    assert published_offsets_spell_their_mentions(warehouse)
    version_3 = extract_entity_tables(*extraction_step(warehouse, present, "S"))
    stage_each(warehouse, version_3, EXTRACTED_TABLES, present, "S")
    assert warehouse.rebuild([str(folder.resolve())], present=present).waiting == []
    assert warehouse.mart_row_counts()["papers"] == 89
    assert published_offsets_spell_their_mentions(warehouse)


def test_the_tables_of_two_overlapping_parse_steps_are_not_published_together(folder, tmp_path):
    # Run R parsed version 2; run S, parsing version 3, has staged some of its tables; R's
    # extraction reads R's titles beside S's sections.
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    shutil.copy(ARXIV_SAMPLE, folder / MARKDOWN_SEED.name)
    load(warehouse, folder)
    shutil.copy(MARKDOWN_SEED, folder / MARKDOWN_SEED.name)
    present, _ = stage_step(warehouse, folder, ("files", *PARSED_TABLES), "R")
    shutil.copy(HF_PAGE_SEED, folder / MARKDOWN_SEED.name)
    stage_step(warehouse, folder, ("paper_authors", "paper_sections", "quarantine"), "S")
    found = extract_entity_tables(*extraction_step(warehouse, present, "R"))
    stage_each(warehouse, found, EXTRACTED_TABLES, present, "R")

    assert warehouse.rebuild([str(folder.resolve())], present=present).waiting == present
    assert warehouse.mart_row_counts()["papers"] == 12  # version 1, whole
    assert published_offsets_spell_their_mentions(warehouse)


def test_entities_extracted_before_a_new_file_was_parsed_are_not_published(folder, tmp_path):
    # A run of the extraction step alone reads a new file before another run has staged its
    # parsed rows, and stages its extraction of nothing after them.
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    load(warehouse, folder)
    shutil.copy(HF_PAGE_SEED, folder / HF_PAGE_SEED.name)
    present = [str(file.path) for file in find_digest_files([folder])]
    new = [str(folder / HF_PAGE_SEED.name)]
    nothing = extract_entity_tables(*extraction_step(warehouse, new, "U"))
    tables = per_file_tables(find_digest_files([folder / HF_PAGE_SEED.name]), [str(folder)])
    stage_each(warehouse, tables, ("files", *PARSED_TABLES), new, "S")
    stage_each(warehouse, nothing, EXTRACTED_TABLES, new, "U")

    assert warehouse.rebuild([str(folder.resolve())], present=present).waiting == new
    assert warehouse.mart_row_counts()["digests"] == 1  # the first file alone
    found = extract_entity_tables(*extraction_step(warehouse, new, "S"))
    stage_each(warehouse, found, EXTRACTED_TABLES, new, "S")
    assert warehouse.rebuild([str(folder.resolve())], present=present).waiting == []
    assert warehouse.mart_row_counts()["digests"] == 2
    assert published_offsets_spell_their_mentions(warehouse)


def test_a_parse_step_that_staged_some_of_its_tables_is_not_published_with_the_rest(
    folder, tmp_path, clean_counts
):
    # The parse step of a changed file staged some tables and failed; a run of the extraction
    # step alone (from the UI) then reads the new titles beside the old sections.
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    load(warehouse, folder)
    shutil.copy(HF_PAGE_SEED, folder / MARKDOWN_SEED.name)
    present, _ = stage_step(warehouse, folder, ("files", "digests", "paper_appearances"), "run-1")
    found = extract_entity_tables(*extraction_step(warehouse, present, "run-2"))
    stage_each(warehouse, found, EXTRACTED_TABLES, present, "run-2")

    assert warehouse.rebuild([str(folder.resolve())], present=present).waiting == present
    assert warehouse.mart_row_counts() == clean_counts["one"]
    assert load(warehouse, folder).changed_files == 1
    assert warehouse.mart_row_counts()["papers"] == 89


def test_the_present_files_are_listed_once_this_runs_turn_to_write_has_come(folder, tmp_path):
    # Listed before waiting for the turn, a file staged by the run ahead meanwhile would be taken
    # for removed and its rows dropped.
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    load(warehouse, folder)

    def present() -> list[str]:
        with warehouse.writer_lock_path.open("a") as handle, pytest.raises(BlockingIOError):
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held by this run
        return [str(file.path) for file in find_digest_files([folder])]

    assert warehouse.rebuild([str(folder.resolve())], present=present).removed == 0
    assert warehouse.mart_row_counts()["digests"] == 1


def test_after_a_loss_the_files_of_a_folder_that_is_gone_do_not_hold_publication_back(tmp_path):
    first = inbox_with(tmp_path / "first", MARKDOWN_SEED, HF_PAGE_SEED)
    second = inbox_with(tmp_path / "second", ARXIV_SAMPLE)
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    load(warehouse, first)
    load(warehouse, second)
    shutil.rmtree(first)
    warehouse.work_path.unlink()
    load(warehouse, second)
    assert warehouse.mart_row_counts()["digests"] == 1


def test_reading_staged_rows_without_a_working_file_fails_and_records_the_loss(folder, tmp_path):
    # A step re-executed after the working file was deleted starts by reading staged rows.
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    load(warehouse, folder)
    warehouse.work_path.unlink()
    with pytest.raises(StagingLost, match=f"{warehouse.work_path} does not exist"):
        warehouse.read_staging("paper_sections")
    assert not warehouse.work_path.exists()
    assert warehouse.restage_path.read_text(encoding="utf-8") == f"{warehouse.work_path} was removed"


def test_every_loss_gets_a_record_of_its_own_and_the_same_loss_seen_again_does_not(tmp_path):
    # The folder sensor asks for every file once per record it has not seen.
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    first = warehouse.mark_staging_lost("the working file was not a DuckDB database")
    assert warehouse.mark_staging_lost("the working file was removed", again=False) == first
    second = warehouse.mark_staging_lost("the staging tables were made by an older pipeline")
    assert second != first
    assert (
        warehouse.restage_path.read_text(encoding="utf-8")
        == "the staging tables were made by an older pipeline"
    )


# One run in a child process whose files may not grow past a limit (RLIMIT_FSIZE): writing past it
# fails with EFBIG, as on a full disk, instead of the default SIGXFSZ killing the process.
LIMITED_RUN = textwrap.dedent(
    """
    import resource, signal, sys
    from pathlib import Path
    from digest_pipeline.storage import Warehouse
    from digest_pipeline_tests.conftest import load
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = int(sys.argv[3])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    load(Warehouse(sys.argv[2]), Path(sys.argv[1]))
    """
)


def assert_full_disk_keeps_the_analyst_file_and_the_next_run_recovers(
    warehouse: Warehouse, folder, failing_run, clean_counts
) -> None:
    load(warehouse, folder)
    before = warehouse.path.read_bytes()
    add_the_other_good_files(folder)
    failing_run()
    assert warehouse.path.read_bytes() == before  # the previous, consistent version
    assert warehouse.mart_row_counts() == clean_counts["one"]
    load(warehouse, folder)
    assert warehouse.mart_row_counts() == clean_counts["three"]  # no row lost
    assert not warehouse.publishing_path.exists()


def test_a_file_size_limit_fails_the_run_and_the_next_run_with_room_recovers(folder, tmp_path, clean_counts):
    warehouse = Warehouse(tmp_path / "digests.duckdb")

    def failing_run():
        limit = warehouse.path.stat().st_size // 2  # too small for the new analyst file
        run = subprocess.run(
            [sys.executable, "-c", LIMITED_RUN, str(folder), str(warehouse.path), str(limit)],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        assert run.returncode != 0
        assert "File too large" in run.stderr or "Could not write" in run.stderr, run.stderr[-2000:]

    assert_full_disk_keeps_the_analyst_file_and_the_next_run_recovers(
        warehouse, folder, failing_run, clean_counts
    )


@pytest.fixture
def small_disk(tmp_path):
    """A 64 MB tmpfs, if this process may mount one (root in a container often may not)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_full_disk_fails_the_run_and_the_next_run_with_room_recovers(folder, small_disk, clean_counts):
    warehouse = Warehouse(small_disk / "digests.duckdb")
    filler = small_disk / "filler"

    def failing_run():
        with filler.open("wb") as handle:  # take every free byte
            try:
                while True:
                    handle.write(b"\0" * 65536)
                    handle.flush()
            except OSError:
                pass
        with pytest.raises((duckdb.Error, OSError)):
            load(warehouse, folder)
        filler.unlink()

    assert_full_disk_keeps_the_analyst_file_and_the_next_run_recovers(
        warehouse, folder, failing_run, clean_counts
    )


# Publishes once; the test kills it the moment the new analyst file is being written.
PUBLISHER = textwrap.dedent(
    """
    import sys
    from digest_pipeline.storage import Warehouse
    Warehouse(sys.argv[1]).publish()
    """
)


def test_a_run_killed_while_publishing_leaves_the_previous_analyst_file_and_loses_no_rows(
    folder, tmp_path, clean_counts
):
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    add_the_other_good_files(folder)
    load(warehouse, folder)
    before = warehouse.path.read_bytes()
    publisher = subprocess.Popen([sys.executable, "-c", PUBLISHER, str(warehouse.path)], cwd=REPO)
    try:
        deadline = time.monotonic() + 30
        # test_publication kills at a random moment, mostly outside publication; this kills in it.
        while not warehouse.publishing_path.exists():
            assert time.monotonic() < deadline and publisher.poll() is None
        os.kill(publisher.pid, signal.SIGKILL)
    finally:
        publisher.kill()
        publisher.wait()
    assert warehouse.publishing_path.exists()  # killed with the new file half-written
    assert warehouse.path.read_bytes() == before
    assert warehouse.mart_row_counts() == clean_counts["three"]
    load(warehouse, folder)
    assert not warehouse.publishing_path.exists()
    assert warehouse.mart_row_counts() == clean_counts["three"]
