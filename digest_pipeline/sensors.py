"""The folder sensor: new, changed and removed digest files trigger an ingest run by themselves."""

from pathlib import Path

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from digest_pipeline.resources import DigestInput
from digest_pipeline.watching import FolderState, observe, run_key

INGEST_JOB = "ingest_digests"
SENSOR_INTERVAL_SECONDS = 5


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
    context.update_cursor(state.to_cursor())
    for path in changes.unreadable:
        context.log.warning(f"cannot read {path}; the ingest run quarantines it")
    if not changes.needs_ingest:
        return SkipReason(
            f"{len(changes.waiting)} file(s) still settling"
            if changes.waiting
            else "no new, changed or removed files"
        )
    summary = f"{len(changes.new)} new, {len(changes.changed)} changed, {len(changes.removed)} removed"
    names = changes.new + changes.changed + changes.removed
    context.log.info(f"{summary}: {', '.join(names[:10])}{' ...' if len(names) > 10 else ''}")
    return RunRequest(run_key=run_key(state), tags={"digest_pipeline/changes": summary})
