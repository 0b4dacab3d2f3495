"""Parsed layer: each digest file read into per-file tables, schema-checked as produced."""

from pathlib import Path

import polars as pl
from dagster import AssetExecutionContext, AssetOut, Output, multi_asset

from digest_pipeline.assets import (
    PARSED_ASSET_NAMES,
    PER_FILE,
    column_schema,
    pandera_type,
    per_file_metadata,
)
from digest_pipeline.resources import DigestInput
from digest_pipeline.schemas import PARSED_TABLES
from digest_pipeline.sources import DigestFile
from digest_pipeline.tables import parse_files


@multi_asset(
    outs={
        asset_name: AssetOut(
            group_name="parsed",
            kinds={"polars"},
            dagster_type=pandera_type(PARSED_TABLES[table]),
            description=(PARSED_TABLES[table].__doc__ or "").strip(),
            owners=["team:digest-pipeline"],
            metadata={"dagster/column_schema": column_schema(PARSED_TABLES[table])},
        )
        for table, asset_name in PARSED_ASSET_NAMES.items()
    },
    **PER_FILE,
)
def parsed_tables(context: AssetExecutionContext, digest_input: DigestInput, digest_files: pl.DataFrame):
    """Parse each digest file (format detected from its content); bad files and entries go to
    quarantine with the reason, and never stop the other files of the run."""
    files = [DigestFile(Path(path), *details) for path, *details in digest_files.iter_rows()]
    context.log.info(f"parsing {len(files)} digest files")
    tables = parse_files(files, year=digest_input.year)
    for row in tables["quarantine"].head(20).iter_rows(named=True):
        context.log.warning(f"quarantined {row['file_path']}:{row['line_number'] or '-'}: {row['reason']}")
    for table, asset_name in PARSED_ASSET_NAMES.items():
        frame = tables[table]
        yield Output(frame, output_name=asset_name, metadata=per_file_metadata(context, frame))
