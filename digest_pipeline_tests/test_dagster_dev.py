"""The code location as `dagster dev` serves it: the UI's API shows the graph and runs the job,
and the folder sensor follows files dropped into the input folder. `dagster dev` runs the
webserver and the daemon; the daemon runs the sensor and dequeues the runs."""

import shutil

import pytest

from digest_pipeline.assets.outcomes import OUTCOME_ASSET
from digest_pipeline_tests.conftest import ARXIV_SAMPLE, SEEDS
from digest_pipeline_tests.dagster_dev import (
    count_papers,
    dagster_dev,
    failed_partitions,
    graphql,
    partition_count,
    quarantined_files,
    wait_for,
)

RUN_SECONDS = 180
SENSOR_SECONDS = 240


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    for path in SEEDS.iterdir():
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture
def server(tmp_path, inbox):
    home = tmp_path / "dagster_home"
    home.mkdir()
    database = tmp_path / "digests.duckdb"
    with dagster_dev(home, inbox, database) as port:
        yield port, database


def test_the_ui_shows_lineage_and_runs_the_ingest_job(server):
    port, database = server
    nodes = graphql(port, "{ assetNodes { assetKey { path } dependencyKeys { path } } }")["assetNodes"]
    parents = {
        "/".join(n["assetKey"]["path"]): {"/".join(d["path"]) for d in n["dependencyKeys"]} for n in nodes
    }
    assert parents["parsed_paper_sections"] == {"digest_files"}
    assert parents["extracted_entity_mentions"] == {"parsed_paper_appearances", "parsed_paper_sections"}
    assert "extracted_entity_mentions" in parents["marts/entities"]

    # What "Materialize all" does: a backfill of every file partition and the marts. The
    # sensor registers the partitions (and ingests them too, in runs of its own).
    wait_for(lambda: partition_count(port) == 2, SENSOR_SECONDS)
    launched = graphql(
        port,
        """mutation($params: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $params) {
             __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }""",
        {"params": {"assetSelection": [{"path": key} for key in parents_keys(nodes)], "allPartitions": True}},
    )["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    backfill = launched["backfillId"]

    def backfill_runs() -> list[str]:
        runs = graphql(
            port,
            """query($tags: [ExecutionTag!]) { runsOrError(filter: {tags: $tags}) {
                 ... on Runs { results { status } } } }""",
            {"tags": [{"key": "dagster/backfill", "value": backfill}]},
        )
        return [run["status"] for run in runs["runsOrError"]["results"]]

    def finished() -> bool:
        statuses = backfill_runs()
        return len(statuses) == 2 and all(status in {"SUCCESS", "FAILURE", "CANCELED"} for status in statuses)

    # Every file partition in one run, then the (unpartitioned) marts in a second.
    wait_for(finished, RUN_SECONDS)
    assert backfill_runs() == ["SUCCESS", "SUCCESS"]
    assert count_papers(database) == 103


def parents_keys(nodes: list[dict]) -> list[list[str]]:
    return [node["assetKey"]["path"] for node in nodes]


def test_the_sensor_ingests_a_dropped_file_and_replaces_a_changed_one(server, inbox):
    _, database = server
    wait_for(lambda: count_papers(database) == 103, SENSOR_SECONDS)  # the seeds already there
    dropped = inbox / "arxiv.txt"
    shutil.copy(ARXIV_SAMPLE, dropped)
    wait_for(lambda: count_papers(database) == 103 + 12, SENSOR_SECONDS)
    text = dropped.read_text(encoding="utf-8")
    dropped.write_text(text.replace("FocusDet: Real-Time", "FocusNet: Real-Time"), encoding="utf-8")
    renamed = "FocusNet: Real-Time Small Object Detection with an Adaptive Feature Pyramid"
    wait_for(lambda: count_papers(database, renamed) == 1, SENSOR_SECONDS)
    assert count_papers(database) == 103 + 12


def test_a_dropped_file_that_cannot_be_parsed_fails_its_partition_in_the_ui(server, inbox):
    port, database = server
    wait_for(lambda: count_papers(database) == 103, SENSOR_SECONDS)
    broken = inbox / "broken.txt"
    broken.write_bytes(b"\x00\x01\x02 not a digest")
    wait_for(lambda: failed_partitions(port, OUTCOME_ASSET) == [str(broken)], SENSOR_SECONDS)
    wait_for(lambda: quarantined_files(database) == [str(broken)], RUN_SECONDS)
    assert count_papers(database) == 103  # the seeds' rows stay as they were
