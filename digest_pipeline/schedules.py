"""The reconciliation schedule: a daily full pass that re-ingests every file partition."""

import os

from dagster import DefaultScheduleStatus, ScheduleEvaluationContext, schedule

from digest_pipeline.assets import DIGEST_FILES
from digest_pipeline.sensors import INGEST_JOB, partitions_request

DEFAULT_RECONCILE_CRON = "0 3 * * *"


@schedule(
    name="daily_reconciliation",
    job_name=INGEST_JOB,
    cron_schedule=os.environ.get("DIGEST_PIPELINE_RECONCILE_CRON", DEFAULT_RECONCILE_CRON),
    default_status=DefaultScheduleStatus.RUNNING,
    description="Re-reads and re-validates every file partition in one run, removes the rows of "
    "vanished files, rebuilds the marts and re-runs every check (cron: "
    "DIGEST_PIPELINE_RECONCILE_CRON, default daily at 03:00). Files a stopped daemon missed are "
    "picked up by the sensor, which compares the folder with its stored cursor when it starts.",
)
def reconciliation_schedule(context: ScheduleEvaluationContext):
    keys = context.instance.get_dynamic_partitions(DIGEST_FILES.name)
    tags = {"digest_pipeline/changes": "daily reconciliation"}
    when = context.scheduled_execution_time.isoformat() if context.scheduled_execution_time else "now"
    return partitions_request(f"reconcile:{when}", [keys[0], keys[-1]] if keys else None, tags)
