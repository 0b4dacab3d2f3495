"""Asset checks: each mart, read back from DuckDB, must match its pandera schema."""

import polars as pl
from dagster import AssetCheckResult, AssetChecksDefinition, AssetCheckSeverity, MetadataValue, asset_check

from digest_pipeline.assets.marts import MART_KEYS
from digest_pipeline.resources import WarehouseResource
from digest_pipeline.schemas import MART_TABLES, Table, validation_failures

FAILING_ROWS_SHOWN = 20


def markdown_table(frame: pl.DataFrame) -> str:
    if frame.is_empty():
        return "none"
    with pl.Config(tbl_formatting="MARKDOWN", tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):
        return str(frame)


def mart_schema_check(name: str) -> AssetChecksDefinition:
    model: type[Table] = MART_TABLES[name]

    @asset_check(
        asset=MART_KEYS[name],
        name=f"{name}_matches_schema",
        blocking=True,
        description=f"marts.{name} matches the {model.__name__} schema (types, nulls, keys, ranges).",
    )
    def check(warehouse: WarehouseResource) -> AssetCheckResult:
        failures = validation_failures(model, warehouse.open().read_mart(name))
        return AssetCheckResult(
            passed=failures.is_empty(),
            severity=AssetCheckSeverity.ERROR,
            metadata={
                "failing_values": failures.height,
                "failing_rows": MetadataValue.md(markdown_table(failures.head(FAILING_ROWS_SHOWN))),
            },
        )

    return check


mart_checks = [mart_schema_check(name) for name in MART_TABLES]
