"""Parsed layer: each digest file read into per-file tables, schema-checked as produced."""

from pathlib import Path

import polars as pl
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetOut,
    MetadataValue,
    Output,
    multi_asset,
)

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
    check_specs=[
        AssetCheckSpec(
            "every_file_parses",
            asset="parsed_digests",
            description="Warns when a file of the run could not be read or parsed at all; "
            "it is in quarantine with the reason, and the other files still land.",
        )
    ],
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
    # Whole files that failed: quarantine rows without a line number.
    failed = tables["quarantine"].filter(pl.col("line_number").is_null()).select("file_path", "reason")
    yield AssetCheckResult(
        check_name="every_file_parses",
        asset_key="parsed_digests",
        passed=failed.is_empty(),
        severity=AssetCheckSeverity.WARN,
        metadata={
            "files_failed": failed.height,
            "failed_files": MetadataValue.md(
                "\n".join(f"- `{path}`: {reason}" for path, reason in failed.iter_rows()) or "none"
            ),
        },
    )
