"""Parsed layer: every digest file read into per-file tables, schema-checked as produced."""

from pathlib import Path

import polars as pl
from dagster import AssetExecutionContext, AssetOut, Output, multi_asset

from digest_pipeline.assets import pandera_type, table_metadata
from digest_pipeline.resources import DigestInput
from digest_pipeline.schemas import PARSED_TABLES
from digest_pipeline.sources import DigestFile
from digest_pipeline.tables import parse_files

PARSED_ASSET_NAMES = {name: f"parsed_{name}" for name in PARSED_TABLES}


@multi_asset(
    outs={
        asset_name: AssetOut(
            group_name="parsed",
            kinds={"polars"},
            dagster_type=pandera_type(PARSED_TABLES[table]),
            description=(PARSED_TABLES[table].__doc__ or "").strip(),
            owners=["team:digest-pipeline"],
        )
        for table, asset_name in PARSED_ASSET_NAMES.items()
    },
)
def parsed_tables(context: AssetExecutionContext, digest_input: DigestInput, digest_files: pl.DataFrame):
    """Parse each digest file (format detected from its content); bad files and entries go to quarantine."""
    files = [DigestFile(Path(path), size, modified) for path, size, modified in digest_files.iter_rows()]
    context.log.info(f"parsing {len(files)} digest files")
    tables = parse_files(files, year=digest_input.year)
    quarantined = tables["quarantine"]
    for row in quarantined.head(20).iter_rows(named=True):
        context.log.warning(f"quarantined {row['file_path']}:{row['line_number'] or '-'}: {row['reason']}")
    for table, asset_name in PARSED_ASSET_NAMES.items():
        frame = tables[table]
        yield Output(
            frame, output_name=asset_name, metadata=table_metadata(PARSED_TABLES[table], frame.height, frame)
        )
