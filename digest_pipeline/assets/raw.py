"""Raw layer: the digest files found in the input folders."""

import polars as pl
from dagster import AssetExecutionContext, Output, asset

from digest_pipeline.assets import pandera_type, table_metadata
from digest_pipeline.resources import DigestInput
from digest_pipeline.schemas import RawDigestFiles, polars_schema
from digest_pipeline.sources import find_digest_files


@asset(
    group_name="raw",
    kinds={"polars"},
    dagster_type=pandera_type(RawDigestFiles),
    owners=["team:digest-pipeline"],
)
def digest_files(context: AssetExecutionContext, digest_input: DigestInput) -> Output[pl.DataFrame]:
    """Digest files in the input folders: one row per regular file, found by listing the folders."""
    files = find_digest_files(digest_input.paths)
    frame = pl.DataFrame(
        [(str(file.path), file.size_bytes, file.modified_at) for file in files],
        schema=polars_schema(RawDigestFiles),
        orient="row",
    )
    context.log.info(f"found {frame.height} digest files in {', '.join(digest_input.roots())}")
    return Output(frame, metadata=table_metadata(RawDigestFiles, frame.height, frame))
