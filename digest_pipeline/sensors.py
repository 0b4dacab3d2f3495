"""The folder sensor: new, changed and removed digest files trigger ingest runs by themselves."""

import hashlib
from pathlib import Path

from dagster import (
    AddDynamicPartitionsRequest,
    DagsterRunStatus,
    DefaultSensorStatus,
    DeleteDynamicPartitionsRequest,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)
from dagster._core.execution.stats import StepEventStatus
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from digest_pipeline.assets import DIGEST_FILES
from digest_pipeline.assets.marts import MART_KEYS, warehouse_marts
from digest_pipeline.assets.outcomes import only_files_failed
from digest_pipeline.resources import DigestInput, WarehouseResource
from digest_pipeline.sources import covers
from digest_pipeline.watching import FolderState, Seen, observe, partition_ranges, run_key

INGEST_JOB = "ingest_digests"
SENSOR_INTERVAL_SECONDS = 5
MAX_RETRIES = 3
CHANGES_TAG = "digest_pipeline/changes"


def run_target(partitions: list[str] | tuple[str, str] | None) -> dict:
    """What a run of the ingest job covers, as the keyword arguments that both `RunRequest` and
    `execute_in_process` take: a range of file partitions and the marts, or (no partitions) the
    marts alone, which drops the rows of files that are gone."""
    if partitions is None:
        return {"asset_selection": list(MART_KEYS.values())}
    first, last = partitions
    if first == last:
        return {"partition_key": first}
    return {"tags": {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}}


def partitions_request(run_key: str, partitions: list[str] | None, tags: dict[str, str]) -> RunRequest:
    target = run_target(partitions)
    return RunRequest(run_key=run_key, **{**target, "tags": {**tags, **target.get("tags", {})}})


@sensor(
    job_name=INGEST_JOB,
    default_status=DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    description="Watches the input folder (DIGEST_PIPELINE_INPUT). A new file gets a partition and a "
    "run; a file whose content changed is re-ingested in its partition; a removed file loses its "
    "partition and its rows. Files still being written wait until their size and time stop changing. "
    "Every file is ingested again when the staging rows in the pipeline's working file were lost "
    "(the file set aside as broken, removed, or made by an older pipeline). Files whose new rows "
    "were left waiting (runs that overlapped on them, or died midway) are ingested again once the "
    "runs that staged those rows have finished.",
)
def digest_folder_sensor(
    context: SensorEvaluationContext, digest_input: DigestInput, warehouse: WarehouseResource
):
    state = FolderState.from_cursor(context.cursor)
    store = warehouse.open()
    work_file, lost = store.work_file_identity(), store.staging_lost()
    if state.work_file is not None and work_file is None:
        # Deleted, and no run has made it again yet: recorded, so that the marts wait for every
        # file. (A run that sets it aside, or makes it anew, records the loss itself; one that
        # made it anew and whole leaves nothing to do.)
        lost = store.mark_staging_lost(f"{store.work_path} was removed", again=False)
    if lost is not None and lost != state.staging_lost:
        # The staging rows are gone (set aside, deleted, or made by an older pipeline): every file
        # counts as changed (removals are still seen), and the run that met it is not retried alone.
        context.log.warning(f"the staging rows in {store.work_path} were lost: ingesting every file again")
        state.ingested = {path: Seen(-1, -1, None) for path in state.ingested}
        state.last_requests, state.retries = [], 0
    state.work_file, state.staging_lost = work_file, lost
    changes, state = observe([Path(path) for path in digest_input.paths], state)
    for path in changes.unreadable:
        context.log.warning(f"cannot read {path}; the ingest run quarantines it")
    if changes.needs_ingest:
        summary = f"{len(changes.new)} new, {len(changes.changed)} changed, {len(changes.removed)} removed"
        names = changes.new + changes.changed + changes.removed
        context.log.info(f"{summary}: {', '.join(names[:10])}{' ...' if len(names) > 10 else ''}")
        known = context.instance.get_dynamic_partitions(DIGEST_FILES.name)
        added = sorted(set(changes.new + changes.changed) - set(known))
        gone = sorted(set(changes.removed) & set(known))
        ordered = [key for key in known if key not in gone] + added
        ranges = partition_ranges(ordered, set(changes.new + changes.changed)) or [None]
        base = run_key(state)
        state.last_requests = [
            {"run_key": f"{base}:{number}", "partitions": list(span) if span else None}
            for number, span in enumerate(ranges)
        ]
        state.retries = 0
        return SensorResult(
            run_requests=[
                partitions_request(request["run_key"], request["partitions"], {CHANGES_TAG: summary})
                for request in state.last_requests
            ],
            dynamic_partitions_requests=[
                AddDynamicPartitionsRequest(DIGEST_FILES.name, added),
                DeleteDynamicPartitionsRequest(DIGEST_FILES.name, gone),
            ],
            cursor=state.to_cursor(),
        )
    failed = [
        (request, scope)
        for request in state.last_requests
        if (scope := retry_scope(context, request["run_key"])) is not None
    ]
    if failed and state.retries < MAX_RETRIES:
        # The files were seen, but a run that was to ingest them failed (a lock held too
        # long, a failing check): ask again rather than wait for the next change. A run whose
        # files all landed and only the marts failed (publication waiting for other files to
        # be staged again) gets the marts alone.
        state.retries += 1
        tags = {CHANGES_TAG: f"retry {state.retries} after a failed run"}
        return SensorResult(
            run_requests=[
                partitions_request(
                    f"{request['run_key']}:retry{state.retries}",
                    None if scope == "marts" else request["partitions"],
                    tags,
                )
                for request, scope in failed
            ],
            cursor=state.to_cursor(),
        )
    if requests := pending_requests(context, store, state, digest_input.paths):
        return SensorResult(run_requests=requests, cursor=state.to_cursor())
    return SensorResult(
        skip_reason=SkipReason(
            f"{len(changes.waiting)} file(s) still settling"
            if changes.waiting
            else "no new, changed or removed files"
        ),
        cursor=state.to_cursor(),
    )


IN_PROGRESS = {
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
}


def pending_requests(
    context: SensorEvaluationContext, store, state: FolderState, inputs: list[str]
) -> list[RunRequest]:
    """Runs for the watched files whose new rows were left waiting (runs that overlapped on them,
    or died midway): a file is asked for once none of the runs that staged its waiting rows is
    still going, once per waiting state, and at most MAX_RETRIES times in a row."""
    waiting = store.pending_files()
    if waiting is None:
        return []  # could not look: the state stays as it was
    known = context.instance.get_dynamic_partitions(DIGEST_FILES.name)
    partitions = set(known)
    runs_of: dict[str, set[str]] = {}
    for path, generation in waiting:
        if path in partitions and covers(inputs, Path(path)):
            runs_of.setdefault(path, set()).add(generation)
    # What was asked for each file: [times in a row, its waiting state then]; a file no longer
    # waiting is forgotten.
    state.pending = {path: asked for path, asked in state.pending.items() if path in runs_of}
    due = {}
    for path, runs in runs_of.items():
        times, asked_for = state.pending.get(path, [0, None])
        waiting_state = ",".join(sorted(runs))
        if (
            waiting_state != asked_for
            and times < MAX_RETRIES
            and not any(run_going(context, run) for run in runs)
        ):
            due[path] = (times + 1, waiting_state)
    if not due:
        return []
    context.log.warning(
        f"{len(due)} file(s) left waiting by runs that overlapped or died: ingesting them again"
    )
    state.pending |= {path: list(asked) for path, asked in due.items()}
    key = "pending:" + hashlib.sha256(repr(sorted(due.items())).encode()).hexdigest()[:16]
    tags = {CHANGES_TAG: "files left waiting by other runs"}
    return [
        partitions_request(f"{key}:{number}", list(span), tags)
        for number, span in enumerate(partition_ranges(known, set(due)))
    ]


def run_going(context: SensorEvaluationContext, run_id: str) -> bool:
    """Whether the run that staged rows (their generation) may still stage more; a generation that
    names no run here (a `digest-pipeline ingest` without DAGSTER_HOME) is taken as finished."""
    run = context.instance.get_run_by_id(run_id)
    return run is not None and run.status in IN_PROGRESS


def retry_scope(context: SensorEvaluationContext, key: str) -> str | None:
    """What to run again after the latest run launched for `key` (or its retries): "run", all of
    it, when it was canceled or failed for a reason a retry may cure; "marts" when only the marts
    step failed (its files landed, and publication waited for other files to be staged again);
    None when it did not fail, or failed only because some of its files cannot be parsed (the
    same files fail the same way, and the rest of the run landed)."""
    keys = [key, *(f"{key}:retry{n}" for n in range(1, MAX_RETRIES + 1))]
    for candidate in reversed(keys):
        runs = context.instance.get_runs(filters=RunsFilter(tags={"dagster/run_key": candidate}), limit=1)
        if runs:
            run = runs[0]
            if run.status == DagsterRunStatus.CANCELED:
                return "run"
            if run.status != DagsterRunStatus.FAILURE:
                return None
            failed_steps = {
                stats.step_key
                for stats in context.instance.get_run_step_stats(run.run_id)
                if stats.status == StepEventStatus.FAILURE
            }
            if only_files_failed(failed_steps):
                return None
            return "marts" if failed_steps == {warehouse_marts.op.name} else "run"
    return None
