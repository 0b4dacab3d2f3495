"""The Dagster UI in a real browser: the lineage from raw files to marts, and a materialisation
launched by a click. Needs Debian's chromium (`.ci/run` installs it) and Playwright's Python
package (the dev extra); Playwright drives /usr/bin/chromium, no browser is downloaded."""

import contextlib
import re
import shutil
from pathlib import Path

import pytest

from digest_pipeline_tests.conftest import REPO, SEEDS
from digest_pipeline_tests.dagster_dev import count_papers, dagster_dev, graphql, partition_count, wait_for

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
# Chromium as root, with nothing that reaches for the network at start-up.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RUN_SECONDS = 240

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


def ui_runs(port: int) -> list[dict]:
    query = "{ runsOrError { ... on Runs { results { runId status tags { key value } } } } }"
    return graphql(port, query)["runsOrError"]["results"]


def launched_from_the_ui(run: dict) -> bool:
    return not any(tag["key"] == "dagster/sensor_name" for tag in run["tags"])


def test_the_lineage_is_shown_and_materialise_all_succeeds(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    home, inbox = tmp_path / "home", tmp_path / "inbox"
    home.mkdir()
    inbox.mkdir()
    for path in SEEDS.iterdir():
        shutil.copy(path, inbox / path.name)
    database = tmp_path / "digests.duckdb"
    ARTIFACTS.mkdir(exist_ok=True)
    with dagster_dev(home, inbox, database) as port, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"http://127.0.0.1:{port}/asset-groups")
        page.get_by_role("button", name="Materialize all").wait_for(timeout=60_000)
        # A fresh DAGSTER_HOME opens with a community sign-up dialog over the page.
        with contextlib.suppress(sync_api.TimeoutError):
            page.get_by_role("button", name="Skip").click(timeout=15_000)
        graph = page.inner_text("body")
        for group in ("raw", "parsed", "entities", "outcomes", "marts"):
            assert group in graph
        page.screenshot(path=str(ARTIFACTS / "dagster_ui_lineage.png"))

        wait_for(lambda: partition_count(port) == 2, RUN_SECONDS)  # registered by the sensor
        page.reload()
        before = {run["runId"] for run in ui_runs(port)}
        page.get_by_role("button", name="Materialize all").click(timeout=60_000)
        # Partitioned assets: the dialog chooses the partitions and launches a backfill.
        dialog = page.get_by_role("dialog")
        dialog.get_by_role("button", name="All", exact=True).click(timeout=30_000)
        dialog.get_by_text("2 partitions").wait_for(timeout=30_000)
        launch = dialog.get_by_role("button", name=re.compile("^Launch"))
        page.screenshot(path=str(ARTIFACTS / "dagster_ui_backfill_dialog.png"))
        launch.click()

        def ui_runs_done() -> bool:
            fresh = [run for run in ui_runs(port) if run["runId"] not in before and launched_from_the_ui(run)]
            return len(fresh) == 2 and all(
                run["status"] in {"SUCCESS", "FAILURE", "CANCELED"} for run in fresh
            )

        # The backfill runs every file partition in one run, then the marts in a second.
        wait_for(ui_runs_done, RUN_SECONDS)
        fresh = [run for run in ui_runs(port) if run["runId"] not in before and launched_from_the_ui(run)]
        assert [run["status"] for run in fresh] == ["SUCCESS", "SUCCESS"]
        page.goto(f"http://127.0.0.1:{port}/runs/{fresh[-1]['runId']}")
        page.wait_for_timeout(3000)
        page.screenshot(path=str(ARTIFACTS / "dagster_ui_run.png"))
        browser.close()
    assert count_papers(database) == 103
