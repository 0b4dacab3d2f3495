"""The folder sensor: new, changed and removed digest files trigger an ingest run by themselves."""

from pathlib import Path

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from digest_pipeline.resources import DigestInput
from digest_pipeline.watching import FolderState, observe, run_key

INGEST_JOB = "ingest_digests"
SENSOR_INTERVAL_SECONDS = 5
MAX_RETRIES = 3


@sensor(
    job_name=INGEST_JOB,
    default_status=DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    description="Watches the input folder (DIGEST_PIPELINE_INPUT). A new file, a file whose content "
    "changed, or a removed file requests an ingest run; files still being written wait until "
    "their size and time stop changing.",
)
def digest_folder_sensor(context: SensorEvaluationContext, digest_input: DigestInput):
    changes, state = observe(
        [Path(path) for path in digest_input.paths], FolderState.from_cursor(context.cursor)
    )
    for path in changes.unreadable:
        context.log.warning(f"cannot read {path}; the ingest run quarantines it")
    if changes.needs_ingest:
        summary = f"{len(changes.new)} new, {len(changes.changed)} changed, {len(changes.removed)} removed"
        names = changes.new + changes.changed + changes.removed
        context.log.info(f"{summary}: {', '.join(names[:10])}{' ...' if len(names) > 10 else ''}")
        state.last_run_key, state.retries = run_key(state), 0
        context.update_cursor(state.to_cursor())
        return RunRequest(run_key=state.last_run_key, tags={"digest_pipeline/changes": summary})
    if state.last_run_key and state.retries < MAX_RETRIES and last_run_failed(context, state.last_run_key):
        # The files were seen, but the run that was to ingest them failed (a lock held too
        # long, a failing check): ask again rather than wait for the next change.
        state.retries += 1
        context.update_cursor(state.to_cursor())
        return RunRequest(
            run_key=f"{state.last_run_key}:retry{state.retries}",
            tags={"digest_pipeline/changes": f"retry {state.retries} after a failed run"},
        )
    context.update_cursor(state.to_cursor())
    return SkipReason(
        f"{len(changes.waiting)} file(s) still settling"
        if changes.waiting
        else "no new, changed or removed files"
    )


def last_run_failed(context: SensorEvaluationContext, key: str) -> bool:
    """Whether the latest run launched for `key` (or its retries) ended in failure."""
    keys = [key, *(f"{key}:retry{n}" for n in range(1, MAX_RETRIES + 1))]
    for candidate in reversed(keys):
        runs = context.instance.get_runs(filters=RunsFilter(tags={"dagster/run_key": candidate}), limit=1)
        if runs:
            return runs[0].status in {DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}
    return False
