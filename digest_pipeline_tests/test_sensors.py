"""The folder sensor, evaluated with build_sensor_context over a temporary folder."""

import os
import shutil
from pathlib import Path

import pytest
from dagster import (
    AddDynamicPartitionsRequest,
    DagsterInstance,
    DagsterRunStatus,
    RunRequest,
    SkipReason,
    build_sensor_context,
)
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG
from dagster._core.test_utils import create_run_for_test

from digest_pipeline.assets import DIGEST_FILES
from digest_pipeline.assets.marts import MART_KEYS
from digest_pipeline.definitions import INGEST_JOB, build_definitions
from digest_pipeline.resources import DigestInput, WarehouseResource
from digest_pipeline.schemas import PARSED_TABLES
from digest_pipeline.sensors import digest_folder_sensor
from digest_pipeline.sources import find_digest_files
from digest_pipeline.storage import Warehouse
from digest_pipeline.watching import FolderState
from digest_pipeline_tests.conftest import ARXIV_SAMPLE, MARKDOWN_SEED, per_file_tables


class Watcher:
    """Evaluates the sensor tick after tick, carrying its cursor like the daemon does."""

    def __init__(self, folder):
        self.folder = folder
        self.cursor = None
        self.instance = DagsterInstance.ephemeral()
        self.warehouse = WarehouseResource(database=str(folder.parent / "digests.duckdb"))

    def tick(self):
        context = build_sensor_context(
            cursor=self.cursor,
            instance=self.instance,
            resources={"digest_input": DigestInput(paths=[str(self.folder)]), "warehouse": self.warehouse},
        )
        result = digest_folder_sensor(context)
        self.cursor = result.cursor
        for request in result.dynamic_partitions_requests:  # as the daemon applies them
            if isinstance(request, AddDynamicPartitionsRequest):
                self.instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
            else:
                for key in request.partition_keys:
                    self.instance.delete_dynamic_partition(request.partitions_def_name, key)
        self.requests = result.run_requests
        return result.run_requests[0] if result.run_requests else result.skip_reason

    def settle(self):
        """Two ticks: the first sees a file, the second finds it unchanged and ingests it."""
        first = self.tick()
        return first if isinstance(first, RunRequest) else self.tick()

    def partitions(self) -> set[str]:
        return {os.path.basename(key) for key in self.instance.get_dynamic_partitions(DIGEST_FILES.name)}

    def ingested(self) -> set[str]:
        return {os.path.basename(path) for path in FolderState.from_cursor(self.cursor).ingested}


@pytest.fixture
def folder(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    return inbox


def test_a_new_file_waits_one_tick_then_requests_a_run(folder):
    watcher = Watcher(folder)
    shutil.copy(MARKDOWN_SEED, folder / "a.txt")
    assert isinstance(watcher.tick(), SkipReason)  # seen once: may still be being written
    request = watcher.tick()
    assert isinstance(request, RunRequest)
    assert request.tags["digest_pipeline/changes"] == "1 new, 0 changed, 0 removed"
    assert watcher.ingested() == {"a.txt"}
    assert watcher.partitions() == {"a.txt"}
    assert request.partition_key == str((folder / "a.txt").resolve())


def test_files_dropped_together_are_ingested_in_one_run_over_their_partitions(folder):
    watcher = Watcher(folder)
    for name in ("a.txt", "b.txt", "c.txt"):
        shutil.copy(MARKDOWN_SEED, folder / name)
    request = watcher.settle()
    assert len(watcher.requests) == 1
    assert request.tags[ASSET_PARTITION_RANGE_START_TAG] == str((folder / "a.txt").resolve())
    assert request.tags[ASSET_PARTITION_RANGE_END_TAG] == str((folder / "c.txt").resolve())
    assert watcher.partitions() == {"a.txt", "b.txt", "c.txt"}


def test_changed_files_apart_in_partition_order_get_a_run_each(folder):
    watcher = Watcher(folder)
    for name in ("a.txt", "b.txt", "c.txt"):
        shutil.copy(MARKDOWN_SEED, folder / name)
    watcher.settle()
    for name in ("a.txt", "c.txt"):
        shutil.copy(ARXIV_SAMPLE, folder / name)
    watcher.settle()
    assert sorted(os.path.basename(request.partition_key) for request in watcher.requests) == [
        "a.txt",
        "c.txt",
    ]


def test_an_unchanged_folder_requests_nothing(folder):
    watcher = Watcher(folder)
    shutil.copy(MARKDOWN_SEED, folder / "a.txt")
    watcher.settle()
    assert isinstance(watcher.tick(), SkipReason)
    assert isinstance(watcher.tick(), SkipReason)


def test_a_touched_file_with_the_same_content_is_not_reingested(folder):
    watcher = Watcher(folder)
    shutil.copy(MARKDOWN_SEED, folder / "a.txt")
    watcher.settle()
    stat = (folder / "a.txt").stat()
    os.utime(folder / "a.txt", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert isinstance(watcher.settle(), SkipReason)


def test_a_changed_file_requests_a_run_with_a_new_key(folder):
    watcher = Watcher(folder)
    shutil.copy(MARKDOWN_SEED, folder / "a.txt")
    first = watcher.settle()
    shutil.copy(ARXIV_SAMPLE, folder / "a.txt")
    second = watcher.settle()
    assert isinstance(second, RunRequest)
    assert second.tags["digest_pipeline/changes"] == "0 new, 1 changed, 0 removed"
    assert second.run_key != first.run_key


def test_a_deleted_file_requests_a_run_that_removes_its_rows(folder):
    watcher = Watcher(folder)
    shutil.copy(MARKDOWN_SEED, folder / "a.txt")
    watcher.settle()
    (folder / "a.txt").unlink()
    request = watcher.tick()
    assert isinstance(request, RunRequest)
    assert request.tags["digest_pipeline/changes"] == "0 new, 0 changed, 1 removed"
    assert set(request.asset_selection) == set(MART_KEYS.values())  # the marts drop its rows
    assert watcher.ingested() == set() and watcher.partitions() == set()


def test_a_renamed_file_is_a_removal_then_a_new_file(folder):
    watcher = Watcher(folder)
    shutil.copy(MARKDOWN_SEED, folder / "a.txt")
    watcher.settle()
    (folder / "a.txt").rename(folder / "b.txt")
    assert watcher.tick().tags["digest_pipeline/changes"] == "0 new, 0 changed, 1 removed"
    assert watcher.tick().tags["digest_pipeline/changes"] == "1 new, 0 changed, 0 removed"
    assert watcher.ingested() == {"b.txt"} and watcher.partitions() == {"b.txt"}


def test_a_file_still_being_written_waits_until_it_stops_growing(folder):
    watcher = Watcher(folder)
    data = MARKDOWN_SEED.read_bytes()
    with open(folder / "growing.txt", "wb") as partial:
        for start, end in ((0, 1000), (1000, 5000), (5000, len(data))):
            partial.write(data[start:end])
            partial.flush()
            assert isinstance(watcher.tick(), SkipReason)
    assert isinstance(watcher.tick(), RunRequest)


def test_temporary_and_hidden_names_and_subfolders_are_ignored(folder):
    watcher = Watcher(folder)
    for name in ("copy.tmp", "download.part", ".hidden.txt"):
        shutil.copy(MARKDOWN_SEED, folder / name)
    (folder / "nested").mkdir()
    shutil.copy(MARKDOWN_SEED, folder / "nested" / "inner.txt")
    assert isinstance(watcher.tick(), SkipReason)
    assert isinstance(watcher.tick(), SkipReason)
    assert watcher.ingested() == set()


def test_a_symlink_pointing_outside_the_folder_is_ignored(folder, tmp_path):
    outside = tmp_path / "outside.txt"
    shutil.copy(MARKDOWN_SEED, outside)
    (folder / "link.txt").symlink_to(outside)
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    watcher = Watcher(folder)
    watcher.settle()
    assert watcher.ingested() == set()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_an_unreadable_file_is_passed_on_for_quarantine(folder):
    watcher = Watcher(folder)
    shutil.copy(MARKDOWN_SEED, folder / "secret.txt")
    (folder / "secret.txt").chmod(0)
    assert isinstance(watcher.settle(), RunRequest)


def test_an_unreadable_file_is_passed_on_for_quarantine_even_as_root(folder, monkeypatch):
    watcher = Watcher(folder)
    shutil.copy(MARKDOWN_SEED, folder / "secret.txt")
    real_open = type(folder).open

    def denied(path, *args, **kwargs):
        if path.name == "secret.txt":
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(type(folder), "open", denied)
    request = watcher.settle()
    assert isinstance(request, RunRequest)
    assert request.tags["digest_pipeline/changes"] == "1 new, 0 changed, 0 removed"
    (seen,) = FolderState.from_cursor(watcher.cursor).ingested.values()
    assert seen.sha256 is None  # no hash: it could not be read, and the run will say why


@pytest.mark.parametrize("how", ["set aside", "deleted"])
def test_every_file_is_ingested_again_when_the_working_file_was_set_aside_or_deleted(folder, how):
    watcher = Watcher(folder)
    work_path = watcher.warehouse.open().work_path
    for name in ("a.txt", "b.txt", "c.txt"):
        shutil.copy(MARKDOWN_SEED, folder / name)
    watcher.settle()
    work_path.write_bytes(b"staging rows")  # what the requested run leaves
    assert isinstance(watcher.tick(), SkipReason)  # a working file appearing is no reason to ingest
    if how == "set aside":
        os.replace(work_path, work_path.with_name(f"{work_path.name}.broken"))
    else:
        work_path.unlink()
    assert isinstance(watcher.tick(), SkipReason)  # every file settles again
    (folder / "c.txt").unlink()  # removed meanwhile: still seen as removed
    request = watcher.tick()
    assert request.tags["digest_pipeline/changes"] == "0 new, 2 changed, 1 removed"
    assert len(watcher.requests) == 1
    assert request.tags[ASSET_PARTITION_RANGE_START_TAG] == str((folder / "a.txt").resolve())
    assert request.tags[ASSET_PARTITION_RANGE_END_TAG] == str((folder / "b.txt").resolve())
    assert watcher.partitions() == {"a.txt", "b.txt"}
    # The loss is recorded, so that a run for one file cannot publish marts of it alone.
    assert watcher.warehouse.open().staging_lost() is not None
    work_path.write_bytes(b"new staging rows")  # a new file, a new inode: the runs made it again
    assert isinstance(watcher.tick(), SkipReason)


def test_a_working_file_made_anew_and_whole_before_a_tick_asks_for_nothing(folder):
    # Deleted, then remade in full by `digest-pipeline ingest` (which publishes and so removes any
    # record of the loss) before the sensor looked again: nothing is missing.
    watcher = Watcher(folder)
    work_path = watcher.warehouse.open().work_path
    shutil.copy(MARKDOWN_SEED, folder / "a.txt")
    watcher.settle()
    work_path.write_bytes(b"staging rows")
    assert isinstance(watcher.tick(), SkipReason)
    replacement = work_path.with_name("replacement")
    replacement.write_bytes(b"all staging rows again")
    os.replace(replacement, work_path)
    assert isinstance(watcher.tick(), SkipReason)
    assert isinstance(watcher.tick(), SkipReason)
    assert watcher.warehouse.open().staging_lost() is None


def test_every_file_is_ingested_again_once_when_a_run_found_the_staging_rows_lost(folder):
    # A new pipeline version with other staging columns drops them; the run that did records it.
    watcher = Watcher(folder)
    warehouse = watcher.warehouse.open()
    for name in ("a.txt", "b.txt"):
        shutil.copy(MARKDOWN_SEED, folder / name)
    watcher.settle()
    warehouse.mark_staging_lost("the staging tables were made by an older pipeline")
    assert isinstance(watcher.tick(), SkipReason)  # every file settles again
    request = watcher.tick()
    assert request.tags["digest_pipeline/changes"] == "0 new, 2 changed, 0 removed"
    assert isinstance(watcher.tick(), SkipReason)  # the same loss asks for the files once
    warehouse.restage_path.unlink()  # published
    assert isinstance(watcher.tick(), SkipReason)


def test_the_cursor_carries_state_across_evaluations(folder):
    first = Watcher(folder)
    shutil.copy(MARKDOWN_SEED, folder / "a.txt")
    first.tick()
    restarted = Watcher(folder)  # a new daemon process: only the stored cursor survives
    restarted.cursor = first.cursor
    assert isinstance(restarted.tick(), RunRequest)
    assert isinstance(restarted.tick(), SkipReason)
    assert FolderState.from_cursor(restarted.cursor).generation == 1


def test_a_failed_run_is_requested_again_a_bounded_number_of_times(folder):
    watcher = Watcher(folder)
    shutil.copy(MARKDOWN_SEED, folder / "a.txt")
    request = watcher.settle()
    create_run_for_test(
        watcher.instance, status=DagsterRunStatus.FAILURE, tags={"dagster/run_key": request.run_key}
    )
    retry = watcher.tick()
    assert isinstance(retry, RunRequest) and retry.run_key == f"{request.run_key}:retry1"
    assert retry.partition_key == request.partition_key
    create_run_for_test(
        watcher.instance, status=DagsterRunStatus.SUCCESS, tags={"dagster/run_key": retry.run_key}
    )
    assert isinstance(watcher.tick(), SkipReason)  # the retry succeeded
    for attempt in range(2, 5):
        create_run_for_test(
            watcher.instance,
            status=DagsterRunStatus.FAILURE,
            tags={"dagster/run_key": f"{request.run_key}:retry{attempt - 1}"},
        )
        outcome = watcher.tick()
        if attempt <= 3:
            assert outcome.run_key == f"{request.run_key}:retry{attempt}"
    assert isinstance(outcome, SkipReason)  # three retries, then it waits for a change or the schedule


def test_a_run_that_failed_only_on_files_that_cannot_be_parsed_is_not_retried(folder, tmp_path):
    watcher = Watcher(folder)
    (folder / "broken.txt").write_bytes(b"\x00\x01 not a digest")
    request = watcher.settle()
    job = build_definitions([str(folder)], str(tmp_path / "d.duckdb")).resolve_job_def(INGEST_JOB)
    run = job.execute_in_process(
        instance=watcher.instance,
        partition_key=request.partition_key,
        tags={**request.tags, "dagster/run_key": request.run_key},
        raise_on_error=False,
    )
    assert not run.success  # the file's partition failed; retrying would fail it again
    assert isinstance(watcher.tick(), SkipReason)


def test_a_run_whose_marts_alone_failed_is_retried_for_the_marts_alone(folder):
    # Its files landed; the marts step failed (here: the analyst file is not a database), as it
    # does while publication waits for other files to be staged again.
    watcher = Watcher(folder)
    database = Path(watcher.warehouse.database)
    job = build_definitions([str(folder)], str(database)).resolve_job_def(INGEST_JOB)

    def run(request):
        return job.execute_in_process(
            instance=watcher.instance,
            partition_key=request.partition_key,
            tags={**request.tags, "dagster/run_key": request.run_key},
            raise_on_error=False,
        )

    shutil.copy(MARKDOWN_SEED, folder / "a.txt")
    assert run(watcher.settle()).success
    shutil.copy(ARXIV_SAMPLE, folder / "a.txt")
    request = watcher.settle()
    database.write_bytes(b"not a database")
    assert not run(request).success
    retry = watcher.tick()
    assert retry.run_key == f"{request.run_key}:retry1"
    assert retry.partition_key is None
    assert retry.asset_selection == list(MART_KEYS.values())


def test_a_single_file_given_as_the_input_is_watched_too(folder):
    single = folder / "only.txt"
    shutil.copy(MARKDOWN_SEED, single)
    watcher = Watcher(single)
    assert isinstance(watcher.settle(), RunRequest)
    shutil.copy(ARXIV_SAMPLE, single)
    assert watcher.settle().tags["digest_pipeline/changes"] == "0 new, 1 changed, 0 removed"


def test_files_left_waiting_by_other_runs_are_asked_for_again_once_no_run_is_going(folder):
    # Two runs that overlapped on a file (or one that died between its steps) leave its new rows
    # waiting in the working file, and every run finished: nothing else would ingest it again.
    watcher = Watcher(folder)
    shutil.copy(MARKDOWN_SEED, folder / "a.txt")
    request = watcher.settle()
    create_run_for_test(
        watcher.instance, status=DagsterRunStatus.SUCCESS, tags={"dagster/run_key": request.run_key}
    )
    (file,) = find_digest_files([folder])
    tables = per_file_tables([file], [str(folder)])
    staging = create_run_for_test(watcher.instance, status=DagsterRunStatus.STARTED)
    Warehouse(Path(watcher.warehouse.database)).stage(
        {name: tables[name] for name in ("files", *PARSED_TABLES)}, [str(file.path)], staging.run_id
    )
    create_run_for_test(watcher.instance, status=DagsterRunStatus.STARTED)  # another job's, say
    assert isinstance(watcher.tick(), SkipReason)  # the run that staged them may stage more
    watcher.instance.delete_run(staging.run_id)
    again = watcher.tick()
    assert isinstance(again, RunRequest) and again.run_key.startswith("pending:")
    assert again.partition_key == str(file.path)
    assert isinstance(watcher.tick(), SkipReason)  # asked for once per waiting state


def test_a_file_that_keeps_waiting_is_asked_for_three_times_without_holding_others_back(folder):
    watcher = Watcher(folder)
    for name in ("a.txt", "b.txt"):
        shutil.copy(MARKDOWN_SEED, folder / name)
    watcher.settle()
    warehouse = Warehouse(Path(watcher.warehouse.database))
    files = {file.path.name: file for file in find_digest_files([folder])}

    def left_waiting(name: str, run: str) -> None:
        tables = per_file_tables([files[name]], [str(folder)])
        warehouse.stage({"digests": tables["digests"]}, [str(files[name].path)], run)

    asked = []
    for attempt in range(4):  # b's runs keep dying midway
        left_waiting("b.txt", f"run-{attempt}")
        watcher.tick()
        asked.append([request.partition_key for request in watcher.requests])
    assert asked == [[str(files["b.txt"].path)]] * 3 + [[]]
    left_waiting("a.txt", "run-a")
    assert watcher.tick().partition_key == str(files["a.txt"].path)
