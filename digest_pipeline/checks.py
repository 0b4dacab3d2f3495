"""Asset checks: the marts must match their pandera schemas, as read back from DuckDB.

Per-file tables (raw, parsed, extracted) are checked as they are produced: their Dagster
types are the pandera models, so a bad row fails the step before it is stored. The mart
checks are blocking, and their metadata lists the failing rows.
"""

import polars as pl
from dagster import AssetCheckResult, AssetChecksDefinition, AssetCheckSeverity, MetadataValue, asset_check

from digest_pipeline.assets import markdown_table
from digest_pipeline.assets.marts import MART_KEYS
from digest_pipeline.resources import WarehouseResource
from digest_pipeline.schemas import MART_TABLES, Table, validation_failures

FAILING_ROWS_SHOWN = 20


def check_result(model: type[Table], frame: pl.DataFrame) -> AssetCheckResult:
    failures = validation_failures(model, frame)
    return AssetCheckResult(
        passed=failures.is_empty(),
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "rows_checked": frame.height,
            "failing_values": failures.height,
            "failing_rows": MetadataValue.md(markdown_table(failures.head(FAILING_ROWS_SHOWN))),
        },
    )


def mart_schema_check(name: str) -> AssetChecksDefinition:
    model = MART_TABLES[name]

    @asset_check(
        asset=MART_KEYS[name],
        name=f"{name}_matches_schema",
        blocking=True,
        description=f"marts.{name} matches the {model.__name__} schema (types, nulls, keys, ranges).",
    )
    def check(warehouse: WarehouseResource) -> AssetCheckResult:
        return check_result(model, warehouse.open().read_mart(name))

    return check


schema_checks = [mart_schema_check(name) for name in MART_TABLES]
