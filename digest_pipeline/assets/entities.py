"""Entities layer: models, datasets, metrics and reported results found in titles and sections."""

import polars as pl
from dagster import AssetExecutionContext, AssetOut, Output, multi_asset

from digest_pipeline.assets import (
    EXTRACTED_ASSET_NAMES,
    PER_FILE,
    column_schema,
    pandera_type,
    per_file_metadata,
)
from digest_pipeline.extraction import freeze_long_lived_objects
from digest_pipeline.extraction.tables import extract_entity_tables
from digest_pipeline.schemas import EXTRACTED_TABLES


@multi_asset(
    outs={
        asset_name: AssetOut(
            group_name="entities",
            kinds={"spacy", "polars"},
            dagster_type=pandera_type(EXTRACTED_TABLES[table]),
            description=(EXTRACTED_TABLES[table].__doc__ or "").strip(),
            owners=["team:digest-pipeline"],
            metadata={"dagster/column_schema": column_schema(EXTRACTED_TABLES[table])},
        )
        for table, asset_name in EXTRACTED_ASSET_NAMES.items()
    },
    **PER_FILE,
)
def extracted_entities(
    context: AssetExecutionContext,
    parsed_paper_appearances: pl.DataFrame,
    parsed_paper_sections: pl.DataFrame,
):
    """Run the spaCy extractor over every title and section: entity mentions and metric results."""
    context.log.info(
        f"extracting entities from {parsed_paper_appearances.height} titles and {parsed_paper_sections.height} sections"
    )
    # A run's process (Dagster's run worker, or `digest-pipeline ingest`'s) ends with the run; in
    # a longer-lived one (a test session) this only keeps what exists now from being collected.
    freeze_long_lived_objects()
    tables = extract_entity_tables(parsed_paper_appearances, parsed_paper_sections)
    for failure in tables["failed_texts"].iter_rows(named=True):
        context.log.warning(f"{failure['file_path']}, line {failure['line_number']}: {failure['reason']}")
    for table, asset_name in EXTRACTED_ASSET_NAMES.items():
        frame = tables[table]
        yield Output(
            frame,
            output_name=asset_name,
            metadata=per_file_metadata(context, frame),
        )
