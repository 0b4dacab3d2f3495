"""One dynamic partition per digest file: many files run as one run, a changed file re-runs
alone, a bad file is quarantined in its own partition while the others land."""

import shutil

import pytest
from dagster import AssetKey, BackfillPolicy, DagsterInstance

from digest_pipeline.assets import DIGEST_FILES
from digest_pipeline.definitions import INGEST_JOB, build_definitions
from digest_pipeline.storage import Warehouse
from digest_pipeline_tests.conftest import ARXIV_SAMPLE, HF_PAGE_SEED, MARKDOWN_SEED, materialise


@pytest.fixture
def folder(tmp_path):
    inbox = tmp_path / "in box ü"  # spaces and non-ASCII in the path
    inbox.mkdir()
    for path in (MARKDOWN_SEED, HF_PAGE_SEED, ARXIV_SAMPLE):
        shutil.copy(path, inbox / path.name)
    (inbox / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    return inbox


def partitions_materialised(result, asset: str) -> set[str]:
    return {
        event.partition
        for event in result.get_asset_materialization_events()
        if event.asset_key.to_user_string() == asset
    }


def test_every_file_is_a_partition_and_the_files_run_as_one_run(folder, tmp_path):
    instance = DagsterInstance.ephemeral()
    result = materialise([str(folder)], tmp_path / "d.duckdb", instance)
    assert result.success
    files = {str(path) for path in folder.iterdir()}
    assert set(instance.get_dynamic_partitions(DIGEST_FILES.name)) == files
    assert partitions_materialised(result, "digest_files") == files
    assert partitions_materialised(result, "extracted_results") == files
    assert len(instance.get_runs()) == 1
    warehouse = Warehouse(tmp_path / "d.duckdb")
    assert warehouse.mart_row_counts()["papers"] == 14 + 89 + 12  # the good files land in full
    (problem,) = warehouse.read_mart("quarantine").iter_rows(named=True)
    assert problem["file_path"] == str(folder / "broken.txt")
    assert "binary" in problem["reason"] or "format" in problem["reason"]
    (parses,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "every_file_parses"]
    assert not parses.passed and "broken.txt" in parses.metadata["failed_files"].value


def test_a_changed_file_runs_alone_and_replaces_only_its_rows(folder, tmp_path):
    instance = DagsterInstance.ephemeral()
    materialise([str(folder)], tmp_path / "d.duckdb", instance)
    before = Warehouse(tmp_path / "d.duckdb").read_mart("digests")
    changed = folder / ARXIV_SAMPLE.name
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text[: text.index("New uploads on arXiv(cs.LG)")], encoding="utf-8")
    result = materialise([str(folder)], tmp_path / "d.duckdb", instance)
    assert partitions_materialised(result, "parsed_digests") == {str(changed)}
    after = Warehouse(tmp_path / "d.duckdb").read_mart("digests")
    others = [path for path in before["file_path"] if path != str(changed)]
    assert before.filter(before["file_path"].is_in(others)).equals(
        after.filter(after["file_path"].is_in(others))
    )
    assert Warehouse(tmp_path / "d.duckdb").mart_row_counts()["papers"] == 14 + 89 + 8


def test_a_removed_file_loses_its_partition_and_its_rows(folder, tmp_path):
    instance = DagsterInstance.ephemeral()
    materialise([str(folder)], tmp_path / "d.duckdb", instance)
    (folder / HF_PAGE_SEED.name).unlink()
    result = materialise([str(folder)], tmp_path / "d.duckdb", instance)
    assert str(folder / HF_PAGE_SEED.name) not in instance.get_dynamic_partitions(DIGEST_FILES.name)
    assert partitions_materialised(result, "parsed_digests") == set()  # only the marts ran
    assert Warehouse(tmp_path / "d.duckdb").mart_row_counts()["papers"] == 14 + 12


def test_a_partition_naming_a_file_outside_the_input_folders_is_never_read(folder, tmp_path):
    secret = tmp_path / "secret.txt"
    shutil.copy(MARKDOWN_SEED, secret)
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(DIGEST_FILES.name, [str(secret)])
    job = build_definitions([str(folder)], str(tmp_path / "d.duckdb")).resolve_job_def(INGEST_JOB)
    assert job.execute_in_process(instance=instance, partition_key=str(secret)).success
    warehouse = Warehouse(tmp_path / "d.duckdb")
    (problem,) = warehouse.read_mart("quarantine").iter_rows(named=True)
    assert problem["file_path"] == str(secret) and "not read" in problem["reason"]
    assert warehouse.mart_row_counts()["papers"] == 0


def test_the_per_file_assets_backfill_many_partitions_in_a_single_run():
    graph = build_definitions(["seeds"], "unused.duckdb").resolve_asset_graph()
    for name in ("digest_files", "parsed_digests", "extracted_entity_mentions"):
        node = graph.get(AssetKey(name))
        assert node.partitions_def == DIGEST_FILES
        assert node.backfill_policy == BackfillPolicy.single_run()
