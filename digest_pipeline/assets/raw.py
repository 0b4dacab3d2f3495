"""Raw layer: one partition per digest file in the input folders."""

import polars as pl
from dagster import AssetExecutionContext, Output, asset

from digest_pipeline.assets import PER_FILE, column_schema, pandera_type, per_file_metadata
from digest_pipeline.resources import DigestInput
from digest_pipeline.schemas import RawDigestFiles, polars_schema


@asset(
    group_name="raw",
    kinds={"polars"},
    dagster_type=pandera_type(RawDigestFiles),
    owners=["team:digest-pipeline"],
    metadata={"dagster/column_schema": column_schema(RawDigestFiles)},
    **PER_FILE,
)
def digest_files(context: AssetExecutionContext, digest_input: DigestInput) -> Output[pl.DataFrame]:
    """The digest file of each partition (keyed by absolute path): size and modification time,
    or why it cannot be read. Only files inside the configured input folders are ever read."""
    rows = [digest_input.describe(key) for key in context.partition_keys]
    frame = pl.DataFrame(rows, schema=polars_schema(RawDigestFiles), orient="row")
    for path, problem in (
        frame.filter(pl.col("problem").is_not_null()).select("file_path", "problem").iter_rows()
    ):
        context.log.warning(f"{path}: {problem}; it goes to quarantine")
    return Output(frame, metadata=per_file_metadata(context, frame))
