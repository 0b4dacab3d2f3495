"""The reconciliation schedule: a daily full pass that catches what a stopped daemon missed."""

import os

from dagster import DefaultScheduleStatus, ScheduleDefinition

from digest_pipeline.sensors import INGEST_JOB

DEFAULT_RECONCILE_CRON = "0 3 * * *"

reconciliation_schedule = ScheduleDefinition(
    name="daily_reconciliation",
    job_name=INGEST_JOB,
    cron_schedule=os.environ.get("DIGEST_PIPELINE_RECONCILE_CRON", DEFAULT_RECONCILE_CRON),
    default_status=DefaultScheduleStatus.RUNNING,
    description="Re-reads every input file, replaces the rows of files whose content changed, removes "
    "those of vanished files, rebuilds the marts and re-runs every check "
    "(cron: DIGEST_PIPELINE_RECONCILE_CRON, default daily at 03:00).",
)
