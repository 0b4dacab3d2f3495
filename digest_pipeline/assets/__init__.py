"""The Dagster assets, one module per layer: raw -> parsed -> entities -> marts."""

import warnings

import polars as pl
from dagster import (
    AssetExecutionContext,
    BackfillPolicy,
    BetaWarning,
    DagsterType,
    DynamicPartitionsDefinition,
    MetadataValue,
    TableColumn,
    TableSchema,
)
from dagster_pandera import pandera_schema_to_dagster_type

from digest_pipeline.schemas import EXTRACTED_TABLES, PARSED_TABLES, Table, descriptions, polars_schema

PREVIEW_ROWS = 5

# One partition per digest file, keyed by its absolute path; the sensor, the schedule and
# `digest-pipeline ingest` add and remove them as files come and go.
DIGEST_FILES = DynamicPartitionsDefinition(name="digest_files")
# Per-file assets: many files run as one run, in one process, not one run per file.
PER_FILE = {"partitions_def": DIGEST_FILES, "backfill_policy": BackfillPolicy.single_run()}
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=BetaWarning)

PARSED_ASSET_NAMES = {name: f"parsed_{name}" for name in PARSED_TABLES}
EXTRACTED_ASSET_NAMES = {name: f"extracted_{name}" for name in EXTRACTED_TABLES}
# The per-file asset behind each staging table.
STAGING_ASSETS = {"files": "digest_files", **PARSED_ASSET_NAMES, **EXTRACTED_ASSET_NAMES}


def pandera_type(model: type[Table]) -> DagsterType:
    """A Dagster type that validates a polars frame against `model` and fails the step on bad rows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BetaWarning)  # stable enough for us; pinned by our lower bound
        return pandera_schema_to_dagster_type(model)


def markdown_table(frame: pl.DataFrame) -> str:
    if frame.is_empty():
        return "none"
    with pl.Config(
        tbl_formatting="MARKDOWN",
        tbl_hide_dataframe_shape=True,
        tbl_hide_column_data_types=True,
        tbl_cols=-1,
        tbl_rows=-1,
        tbl_width_chars=60_000,  # one line per row: markdown tables cannot wrap cells
        fmt_str_lengths=60,
    ):
        return str(frame)


def column_schema(model: type[Table]) -> TableSchema:
    """The table's columns, types and descriptions, from its pandera model."""
    _, columns = descriptions(model)
    dtypes = polars_schema(model)
    return TableSchema(
        columns=[TableColumn(name, str(dtypes[name]), description=text) for name, text in columns.items()]
    )


def table_metadata(model: type[Table], rows: int, preview: pl.DataFrame) -> dict:
    """What the UI shows for a table: row count, column schema and a preview."""
    return {
        "dagster/row_count": rows,
        "dagster/column_schema": column_schema(model),
        "preview": MetadataValue.md(markdown_table(preview.head(PREVIEW_ROWS))),
    }


def per_file_metadata(context: AssetExecutionContext, frame: pl.DataFrame) -> dict:
    """What a per-file output's materialisation carries. Dagster records one materialisation
    per partition with the same metadata, so a run over many files gets the run's totals only:
    a preview in each of thousands of events would cost more than the step."""
    files = len(context.partition_keys)
    if files == 1:
        return {
            "dagster/row_count": frame.height,
            "preview": MetadataValue.md(markdown_table(frame.head(PREVIEW_ROWS))),
        }
    return {"rows_in_run": frame.height, "files_in_run": files}
