"""Running `dagster dev` (webserver and daemon) on 127.0.0.1 for tests and benchmarks."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from digest_pipeline_tests.conftest import REPO

STARTUP_SECONDS = 120


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


def wait_for(predicate, seconds: float) -> float:
    """Seconds until `predicate()` holds, polling every half second; fails after `seconds`."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > seconds:
            raise TimeoutError(f"not true within {seconds} s")
        time.sleep(0.5)
    return time.monotonic() - started


def partition_count(port: int) -> int:
    """How many file partitions the code location has registered."""
    found = graphql(
        port,
        """{ assetNodeOrError(assetKey: {path: ["digest_files"]}) {
             ... on AssetNode { partitionKeys } } }""",
    )
    return len(found["assetNodeOrError"]["partitionKeys"] or [])


def failed_partitions(port: int, asset: str) -> list[str]:
    """The partitions of `asset` the UI shows as failed."""
    found = graphql(
        port,
        """query($path: [String!]!) { assetNodeOrError(assetKey: {path: $path}) {
             ... on AssetNode { assetPartitionStatuses {
               ... on DefaultPartitionStatuses { failedPartitions } } } } }""",
        {"path": [asset]},
    )
    return found["assetNodeOrError"]["assetPartitionStatuses"]["failedPartitions"]


def query_marts(database: Path, sql: str, parameters: list | None = None) -> list[tuple] | None:
    """Rows of `sql` over the analyst file; None while the file is absent or locked."""
    try:
        with duckdb.connect(str(database), read_only=True) as db:
            return db.execute(sql, parameters or []).fetchall()
    except (duckdb.IOException, duckdb.CatalogException):
        return None


def count_papers(database: Path, title: str | None = None) -> int | None:
    """Papers in the marts (with `title`, if given); None while the file is absent or locked."""
    if title is None:
        rows = query_marts(database, "SELECT count(*) FROM marts.papers")
    else:
        rows = query_marts(database, "SELECT count(*) FROM marts.papers WHERE title = ?", [title])
    return None if rows is None else rows[0][0]


def quarantined_files(database: Path) -> list[str] | None:
    """The files in marts.quarantine; None while the file is absent or locked."""
    rows = query_marts(database, "SELECT DISTINCT file_path FROM marts.quarantine")
    return None if rows is None else [path for (path,) in rows]


@contextmanager
def dagster_dev(home: Path, inbox: Path, database: Path) -> Iterator[int]:
    """`dagster dev` over `inbox` writing `database`; yields the port once the code location loaded."""
    port = free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DIGEST_PIPELINE_INPUT": str(inbox),
        "DIGEST_PIPELINE_DB": str(database),
    }
    command = [
        str(Path(sys.executable).parent / "dagster"),
        "dev",
        "-w",
        "workspace.yaml",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    server = subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    def loaded() -> bool:
        try:
            data = graphql(port, "{ repositoriesOrError { ... on RepositoryConnection { nodes { name } } } }")
        except OSError:
            return False
        return bool(data["repositoriesOrError"].get("nodes"))

    try:
        wait_for(loaded, STARTUP_SECONDS)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGINT)  # dagster dev stops its webserver and daemon on Ctrl-C
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
