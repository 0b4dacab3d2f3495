"""The daily reconciliation: one run over every file partition, or the marts alone."""

from datetime import UTC, datetime

from dagster import build_schedule_context, instance_for_test
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from digest_pipeline.assets import DIGEST_FILES
from digest_pipeline.assets.marts import MART_KEYS
from digest_pipeline.schedules import reconciliation_schedule

WHEN = datetime(2026, 11, 25, 3, tzinfo=UTC)


def test_the_reconciliation_runs_every_file_partition_in_one_run():
    with instance_for_test() as instance:
        instance.add_dynamic_partitions(DIGEST_FILES.name, ["/in/a.txt", "/in/b.txt", "/in/c.txt"])
        request = reconciliation_schedule(build_schedule_context(instance, scheduled_execution_time=WHEN))
    assert request.tags[ASSET_PARTITION_RANGE_START_TAG] == "/in/a.txt"
    assert request.tags[ASSET_PARTITION_RANGE_END_TAG] == "/in/c.txt"
    assert request.asset_selection is None  # the whole job: files, then the marts and their checks
    assert request.run_key == f"reconcile:{WHEN.isoformat()}"


def test_with_no_files_the_reconciliation_rebuilds_the_marts():
    with instance_for_test() as instance:
        request = reconciliation_schedule(build_schedule_context(instance, scheduled_execution_time=WHEN))
    assert set(request.asset_selection) == set(MART_KEYS.values())
