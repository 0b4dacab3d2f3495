"""One dynamic partition per digest file: many files run as one run, a changed file re-runs
alone, a bad file is quarantined and fails its own partition while the others land."""

import shutil

import pytest
from dagster import AssetKey, BackfillPolicy, DagsterInstance
from dagster._core.storage.partition_status_cache import get_and_update_asset_status_cache_value

from digest_pipeline.assets import DIGEST_FILES
from digest_pipeline.assets.outcomes import OUTCOME_ASSET
from digest_pipeline.definitions import INGEST_JOB, build_definitions
from digest_pipeline.storage import Warehouse
from digest_pipeline_tests.conftest import ARXIV_SAMPLE, HF_PAGE_SEED, MARKDOWN_SEED, POISON, materialise


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


def test_a_file_that_cannot_be_parsed_fails_its_own_partition_while_the_others_land(
    folder, tmp_path, monkeypatch
):
    # As in `dagster dev` (the CLI sets this for its throwaway instance only, where nobody
    # looks at partition statuses).
    monkeypatch.delenv("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", raising=False)
    instance = DagsterInstance.ephemeral()
    result = materialise([str(folder)], tmp_path / "d.duckdb", instance)
    assert not result.success
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    assert failure.step_key == OUTCOME_ASSET
    broken = str(folder / "broken.txt")
    assert f"{broken}: binary file" in failure.step_failure_data.user_failure_data.description
    status = get_and_update_asset_status_cache_value(instance, AssetKey(OUTCOME_ASSET), DIGEST_FILES)
    assert status.deserialize_failed_partition_subsets(DIGEST_FILES).get_partition_keys() == {broken}
    good = {str(path) for path in folder.iterdir()} - {broken}
    assert set(status.deserialize_materialized_partition_subsets(DIGEST_FILES).get_partition_keys()) == good
    # The marts still ran: the good files and the bad file's quarantine row are in them.
    assert partitions_materialised(result, "marts/papers") == {None}
    counts = Warehouse(tmp_path / "d.duckdb").mart_row_counts()
    assert (counts["papers"], counts["quarantine"]) == (14 + 89 + 12, 1)


def test_a_fixed_file_clears_its_failed_partition(folder, tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", raising=False)
    instance = DagsterInstance.ephemeral()
    materialise([str(folder)], tmp_path / "d.duckdb", instance)
    shutil.copy(MARKDOWN_SEED, folder / "broken.txt")
    assert materialise([str(folder)], tmp_path / "d.duckdb", instance).success
    status = get_and_update_asset_status_cache_value(instance, AssetKey(OUTCOME_ASSET), DIGEST_FILES)
    assert status.deserialize_failed_partition_subsets(DIGEST_FILES).get_partition_keys() == set()
    assert Warehouse(tmp_path / "d.duckdb").mart_row_counts()["quarantine"] == 0


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
    result = job.execute_in_process(instance=instance, partition_key=str(secret), raise_on_error=False)
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    assert failure.step_key == OUTCOME_ASSET and "not read" in failure.step_failure_data.error.message
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


def test_an_entry_the_extractor_fails_on_is_quarantined_while_the_run_lands_the_rest(
    tmp_path, poisoned_extractor
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(HF_PAGE_SEED, inbox / HF_PAGE_SEED.name)
    lines = MARKDOWN_SEED.read_text(encoding="utf-8").splitlines(keepends=True)
    bullet = next(number for number, line in enumerate(lines, 1) if line.startswith("- **What's New**"))
    lines[bullet - 1] = lines[bullet - 1].rstrip("\n") + POISON + "\n"
    (inbox / MARKDOWN_SEED.name).write_text("".join(lines), encoding="utf-8")

    result = materialise([str(inbox)], tmp_path / "d.duckdb")
    assert result.success
    warehouse = Warehouse(tmp_path / "d.duckdb")
    (problem,) = warehouse.read_mart("quarantine").iter_rows(named=True)
    assert (problem["file_path"], problem["line_number"]) == (str(inbox / MARKDOWN_SEED.name), bullet)
    assert "What's New" in problem["reason"] and "planted fault" in problem["reason"]
    mentions = warehouse.read_mart("entity_mentions")
    assert set(mentions["file_path"]) == {str(inbox / MARKDOWN_SEED.name), str(inbox / HF_PAGE_SEED.name)}
    assert warehouse.mart_row_counts()["papers"] == 14 + 89
