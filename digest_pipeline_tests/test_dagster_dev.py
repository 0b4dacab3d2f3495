"""The code location as `dagster dev` serves it: the UI's API shows the graph and runs the job,
and the folder sensor follows files dropped into the input folder. `dagster dev` runs the
webserver and the daemon; the daemon runs the sensor and dequeues the runs."""

import shutil

import pytest

from digest_pipeline_tests.conftest import ARXIV_SAMPLE, SEEDS
from digest_pipeline_tests.dagster_dev import count_papers, dagster_dev, graphql, wait_for

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

    launched = graphql(
        port,
        """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
             __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }""",
        {
            "params": {
                "selector": {
                    "repositoryLocationName": "digest_pipeline",
                    "repositoryName": "__repository__",
                    "jobName": "ingest_digests",
                },
                "runConfigData": {},
            }
        },
    )["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]

    def status() -> str:
        run = graphql(
            port, "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }", {"id": run_id}
        )
        return run["runOrError"]["status"]

    wait_for(lambda: status() in {"SUCCESS", "FAILURE", "CANCELED"}, RUN_SECONDS)
    assert status() == "SUCCESS"
    assert count_papers(database) == 103


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
