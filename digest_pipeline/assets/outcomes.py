"""Outcome layer: which files of a run made it into staging, and which failed, file by file.

Dagster records a step over many partitions as one outcome, so the per-file assets above
cannot fail one file alone (dagster-io/dagster#17836). This leaf asset can: it materialises
the partitions of the files that landed and fails the step for the rest, and Dagster marks
exactly those partitions failed. The marts do not depend on it, so the good files of the
same run still reach them.
"""

import polars as pl
from dagster import AssetExecutionContext, AssetMaterialization, Failure, MetadataValue, asset

from digest_pipeline.assets import EXTRACTED_ASSET_NAMES, PER_FILE, markdown_table

OUTCOME_ASSET = "ingested_files"


def only_files_failed(failed_steps: set[str]) -> bool:
    """Whether a run's failed steps say only that some of its files cannot be parsed: the rest
    of the run landed, and running it again fails the same files the same way."""
    return failed_steps == {OUTCOME_ASSET}


def whole_file_failures(quarantine: pl.DataFrame) -> pl.DataFrame:
    """The files that could not be read or parsed at all: quarantine rows without a line."""
    return quarantine.filter(pl.col("line_number").is_null()).select("file_path", "reason")


@asset(
    name=OUTCOME_ASSET,
    group_name="outcomes",
    kinds={"polars"},
    owners=["team:digest-pipeline"],
    deps=list(EXTRACTED_ASSET_NAMES.values()),
    output_required=False,
    **PER_FILE,
)
def ingested_files(
    context: AssetExecutionContext, parsed_digests: pl.DataFrame, parsed_quarantine: pl.DataFrame
):
    """One partition per digest file that was parsed, extracted and staged for the marts. A file
    that could not be read or parsed fails its partition here, with the reason; the other files
    of the run land, and the bad file's reason is in marts.quarantine."""
    failed = whole_file_failures(parsed_quarantine)
    bad = set(failed["file_path"])
    for row in parsed_digests.filter(~pl.col("file_path").is_in(bad)).iter_rows(named=True):
        yield AssetMaterialization(
            asset_key=context.asset_key,
            partition=row["file_path"],
            metadata={
                "format": row["format"],
                "digest_date": str(row["digest_date"]),
                "papers": row["paper_count"],
                "entries_quarantined": row["problem_count"],
            },
        )
    if not failed.is_empty():
        lines = [f"{path}: {reason}" for path, reason in failed.iter_rows()]
        raise Failure(
            description=f"{failed.height} of {parsed_digests.height} files could not be parsed "
            f"(their reasons are in marts.quarantine; the other files landed): " + "; ".join(lines[:10]),
            metadata={"failed_files": MetadataValue.md(markdown_table(failed))},
            allow_retries=False,
        )
