"""The code location as `dagster dev` serves it: the UI's API shows the graph and runs the job.

`dagster dev` runs the webserver and the daemon; the daemon dequeues the runs the UI launches.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from digest_pipeline_tests.conftest import REPO, SEEDS

STARTUP_SECONDS = 120
RUN_SECONDS = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(port: int, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.loads(response.read())
    assert "errors" not in body, body
    return body["data"]


@pytest.fixture
def dagster_dev(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DIGEST_PIPELINE_INPUT": str(SEEDS),
        "DIGEST_PIPELINE_DB": str(tmp_path / "digests.duckdb"),
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster"),
            "dev",
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                data = graphql(
                    port,
                    "{ repositoriesOrError { __typename ... on RepositoryConnection { nodes { name } } } }",
                )
                if data["repositoriesOrError"].get("nodes"):
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "webserver did not load the code location in time"
            time.sleep(1)
        yield port, tmp_path / "digests.duckdb"
    finally:
        os.killpg(server.pid, signal.SIGINT)  # dagster dev stops its webserver and daemon on Ctrl-C
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def test_the_ui_shows_lineage_and_runs_the_ingest_job(dagster_dev):
    port, database = dagster_dev
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
    deadline = time.monotonic() + RUN_SECONDS
    status = None
    while status not in {"SUCCESS", "FAILURE", "CANCELED"}:
        assert time.monotonic() < deadline, f"run still {status}"
        time.sleep(1)
        run = graphql(
            port, "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }", {"id": run_id}
        )
        status = run["runOrError"]["status"]
    assert status == "SUCCESS"
    with duckdb.connect(str(database), read_only=True) as db:
        assert db.execute("SELECT count(*) FROM marts.papers").fetchone()[0] == 103
