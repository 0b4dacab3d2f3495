"""Analysts read the DuckDB file while the pipeline writes: whole marts, old or new, never a mix."""

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time

import duckdb
import pytest

from digest_pipeline.storage import Warehouse, WarehouseLocked
from digest_pipeline_tests.conftest import ARXIV_SAMPLE, HF_PAGE_SEED, MARKDOWN_SEED, REPO, load

# Both counts come from one snapshot; if a reader saw half-published marts they would disagree.
CONSISTENCY = """
    SELECT (SELECT count(*) FROM marts.papers),
           (SELECT count(DISTINCT paper_id) FROM marts.paper_appearances),
           (SELECT count(*) FROM marts.digests)
"""


@pytest.fixture
def folder(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(MARKDOWN_SEED, inbox / MARKDOWN_SEED.name)
    return inbox


def test_a_reader_holding_the_file_sees_whole_marts_during_several_publications(folder, tmp_path):
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    load(warehouse, folder)
    seen, errors, done = set(), [], threading.Event()

    def read_in_a_loop():
        with duckdb.connect(str(warehouse.path), read_only=True) as held:
            while not done.is_set():
                papers, distinct, digests = held.execute(CONSISTENCY).fetchone()
                if papers != distinct:
                    errors.append((papers, distinct))
                seen.add(digests)
        # A connection opened afterwards sees the last publication.

    reader = threading.Thread(target=read_in_a_loop)
    reader.start()
    try:
        for extra in (HF_PAGE_SEED, ARXIV_SAMPLE):
            shutil.copy(extra, folder / extra.name)
            load(warehouse, folder)
            with duckdb.connect(str(warehouse.path), read_only=True) as fresh:
                papers, distinct, _ = fresh.execute(CONSISTENCY).fetchone()
                assert papers == distinct
    finally:
        done.set()
        reader.join()
    assert errors == []
    assert seen == {1}  # the held connection keeps the snapshot it opened
    with duckdb.connect(str(warehouse.path), read_only=True) as fresh:
        assert fresh.execute(CONSISTENCY).fetchone() == (14 + 89 + 12, 14 + 89 + 12, 3)


def test_the_catalog_lists_every_mart_with_its_description(folder, tmp_path):
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    load(warehouse, folder)
    with duckdb.connect(str(warehouse.path), read_only=True) as db:
        catalog = dict(db.execute("SELECT mart, description FROM marts.catalog").fetchall())
    assert catalog["papers"].startswith("Papers: one row per distinct paper")
    assert "results" in catalog and "entities" in catalog


WRITER = textwrap.dedent(
    """
    import shutil, sys
    from pathlib import Path
    from digest_pipeline_tests.conftest import load
    from digest_pipeline.storage import Warehouse
    folder, extra, database = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    warehouse = Warehouse(database)
    while True:  # alternate two folder states until killed
        shutil.copy(extra, folder / extra.name)
        load(warehouse, folder)
        (folder / extra.name).unlink()
        load(warehouse, folder)
    """
)


def test_a_writer_killed_mid_write_leaves_the_file_whole_and_the_next_run_recovers(folder, tmp_path):
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    load(warehouse, folder)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(folder), str(HF_PAGE_SEED), str(warehouse.path)], cwd=REPO
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with duckdb.connect(str(warehouse.path), read_only=True) as db:
                papers, distinct, digests = db.execute(CONSISTENCY).fetchone()
            assert papers == distinct and digests in {1, 2}
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.kill()
        writer.wait()
    with duckdb.connect(str(warehouse.path), read_only=True) as db:
        papers, distinct, _ = db.execute(CONSISTENCY).fetchone()
        assert papers == distinct
    (folder / HF_PAGE_SEED.name).unlink(missing_ok=True)
    load(warehouse, folder)
    assert not warehouse.publishing_path.exists()
    assert warehouse.mart_row_counts()["papers"] == 14


HOLDER = textwrap.dedent(
    """
    import sys, time, duckdb
    db = duckdb.connect(sys.argv[1])  # read-write, as a careless SQL client would
    print("holding", flush=True)
    time.sleep(60)
    """
)


def test_a_read_write_holder_makes_the_run_wait_then_fail_clearly_and_nothing_breaks(folder, tmp_path):
    load(Warehouse(tmp_path / "digests.duckdb"), folder)
    warehouse = Warehouse(tmp_path / "digests.duckdb", lock_wait_seconds=3)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(warehouse.path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        shutil.copy(HF_PAGE_SEED, folder / HF_PAGE_SEED.name)
        started = time.monotonic()
        with pytest.raises(WarehouseLocked, match="held open for writing by another process"):
            load(warehouse, folder)
        assert 3 <= time.monotonic() - started < 30
    finally:
        holder.kill()
        holder.wait()
    assert warehouse.mart_row_counts()["papers"] == 14  # the analyst file as it was
    load(warehouse, folder)
    assert warehouse.mart_row_counts()["papers"] == 14 + 89


def test_pipeline_runs_take_turns_and_a_waiting_run_fails_clearly(folder, tmp_path):
    first = Warehouse(tmp_path / "digests.duckdb")
    load(first, folder)
    second = Warehouse(tmp_path / "digests.duckdb", writer_wait_seconds=1)
    with first.writer_turn(), pytest.raises(WarehouseLocked, match="another pipeline run"):
        load(second, folder)
    load(second, folder)  # its turn now
    assert second.mart_row_counts()["papers"] == 14
