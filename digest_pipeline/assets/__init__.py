"""The Dagster assets, one module per layer: raw -> parsed -> entities -> marts."""

import warnings

import polars as pl
from dagster import BetaWarning, DagsterType, MetadataValue, TableColumn, TableSchema
from dagster_pandera import pandera_schema_to_dagster_type

from digest_pipeline.schemas import Table, descriptions, polars_schema

PREVIEW_ROWS = 5


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


def table_metadata(model: type[Table], rows: int, preview: pl.DataFrame) -> dict:
    """What the UI shows for a table: row count, column schema (from the pandera model) and a preview."""
    _, columns = descriptions(model)
    dtypes = polars_schema(model)
    return {
        "dagster/row_count": rows,
        "dagster/column_schema": TableSchema(
            columns=[TableColumn(name, str(dtypes[name]), description=text) for name, text in columns.items()]
        ),
        "preview": MetadataValue.md(markdown_table(preview.head(PREVIEW_ROWS))),
    }
