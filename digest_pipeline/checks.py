"""Asset checks: every stage's tables must match their pandera schemas.

Per-file tables (parsed, extracted) are checked as loaded from the run's storage,
the marts as read back from DuckDB. The checks are blocking: a table that fails
stops what is downstream of it, and the check's metadata lists the failing rows.
"""

import polars as pl
from dagster import (
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from digest_pipeline.assets import markdown_table
from digest_pipeline.assets.entities import EXTRACTED_ASSET_NAMES
from digest_pipeline.assets.marts import MART_KEYS
from digest_pipeline.assets.parsed import PARSED_ASSET_NAMES
from digest_pipeline.resources import WarehouseResource
from digest_pipeline.schemas import EXTRACTED_TABLES, MART_TABLES, PARSED_TABLES, Table, validation_failures

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


def table_schema_check(asset_name: str, model: type[Table]) -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey(asset_name),
        name="matches_schema",
        blocking=True,
        description=f"{asset_name} matches the {model.__name__} schema (types, nulls, keys, ranges).",
    )
    def check(frame: pl.DataFrame) -> AssetCheckResult:
        return check_result(model, frame)

    return check


schema_checks = [
    *(table_schema_check(PARSED_ASSET_NAMES[name], model) for name, model in PARSED_TABLES.items()),
    *(table_schema_check(EXTRACTED_ASSET_NAMES[name], model) for name, model in EXTRACTED_TABLES.items()),
    *(mart_schema_check(name) for name in MART_TABLES),
]
