"""The Dagster code location: assets, checks, resources and the ingest job, wired together."""

from collections.abc import Sequence

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor

from digest_pipeline.assets.entities import extracted_entities
from digest_pipeline.assets.marts import warehouse_marts
from digest_pipeline.assets.outcomes import ingested_files
from digest_pipeline.assets.parsed import parsed_tables
from digest_pipeline.assets.raw import digest_files
from digest_pipeline.checks import schema_checks
from digest_pipeline.resources import (
    DigestInput,
    StagingIOManager,
    WarehouseResource,
    default_database,
    default_input,
)
from digest_pipeline.schedules import reconciliation_schedule
from digest_pipeline.sensors import INGEST_JOB, digest_folder_sensor

ingest_job = define_asset_job(
    INGEST_JOB,
    selection=AssetSelection.all(),
    description="Read, parse and extract the digest files of the chosen partitions, then rebuild "
    "the DuckDB marts from every file's staged rows.",
)


def build_definitions(input_paths: Sequence[str], database: str, year: int | None = None) -> Definitions:
    warehouse = WarehouseResource(database=database)
    return Definitions(
        assets=[digest_files, parsed_tables, extracted_entities, ingested_files, warehouse_marts],
        asset_checks=schema_checks,
        jobs=[ingest_job],
        sensors=[digest_folder_sensor],
        schedules=[reconciliation_schedule],
        resources={
            "digest_input": DigestInput(paths=list(input_paths), year=year),
            "warehouse": warehouse,
            "io_manager": StagingIOManager(warehouse=warehouse),
        },
        # One process runs every step: the per-step process start-up of the
        # multiprocess executor costs more than these steps. Swap in another
        # executor (multiprocess, docker, k8s, celery) here when scaling out.
        executor=in_process_executor,
    )


defs = build_definitions([default_input()], default_database())
