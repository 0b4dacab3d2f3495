"""`digest-pipeline ingest`: the asset graph through Dagster, with a summary at the end."""

import os
import shutil

import duckdb
import pytest
from dagster import DagsterInstance

from digest_pipeline.cli import main
from digest_pipeline_tests.conftest import SEEDS


def test_ingest_on_the_seeds_prints_progress_and_a_summary(tmp_path, capsys):
    database = tmp_path / "out" / "digests.duckdb"
    assert main(["ingest", str(SEEDS), "--db", str(database)]) == 0
    out, err = capsys.readouterr()
    assert "ingested 2 files" in out and "103 papers, 0 quarantined items" in out
    assert "marts.paper_sections: 132" in out
    assert "parsed_tables: done" in err and "warehouse_marts: done" in err
    with duckdb.connect(str(database), read_only=True) as db:
        assert db.execute("SELECT count(*) FROM marts.papers").fetchone()[0] == 103


def test_ingest_leaves_the_callers_environment_as_it_was(tmp_path, monkeypatch):
    # The throwaway instance's event setting would otherwise reach every later run and
    # `dagster dev` started from the same process, which then shows no failed partitions.
    monkeypatch.delenv("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", raising=False)
    before = dict(os.environ)
    assert main(["ingest", str(SEEDS), "--db", str(tmp_path / "d.duckdb")]) == 0
    assert dict(os.environ) == before


def test_a_file_that_cannot_be_parsed_is_named_and_fails_the_command_after_the_others_land(tmp_path, capsys):
    inbox = tmp_path / "in"
    shutil.copytree(SEEDS, inbox)
    (inbox / "broken.txt").write_bytes(b"\x00\x01\x02 not a digest")
    assert main(["ingest", str(inbox), "--db", str(tmp_path / "d.duckdb")]) == 1
    out, err = capsys.readouterr()
    assert "ingested 3 files" in out and "103 papers, 1 quarantined items" in out
    assert "1 of 3 files could not be parsed" in err and f"{inbox / 'broken.txt'}: binary file" in err


def test_runs_are_recorded_in_dagster_home_when_it_is_set(tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    assert main(["ingest", str(SEEDS), "--db", str(tmp_path / "d.duckdb")]) == 0
    with DagsterInstance.get() as instance:
        runs = instance.get_runs()
    assert [run.job_name for run in runs] == ["ingest_digests"]
    assert runs[0].is_success


def test_a_missing_path_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["ingest", str(tmp_path / "nope")])
    assert exit.value.code == 2
    assert "no such file or folder" in capsys.readouterr().err
