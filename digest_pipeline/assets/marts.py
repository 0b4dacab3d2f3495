"""Marts layer: the analyst tables in DuckDB, rebuilt from per-file staging rows."""

import polars as pl
from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    TableColumnDep,
    TableColumnLineage,
    multi_asset,
)

from digest_pipeline.assets import PREVIEW_ROWS, table_metadata
from digest_pipeline.assets.entities import EXTRACTED_ASSET_NAMES
from digest_pipeline.assets.parsed import PARSED_ASSET_NAMES
from digest_pipeline.resources import DigestInput, WarehouseResource
from digest_pipeline.schemas import MART_TABLES, STAGING_TABLES, descriptions

MART_KEYS = {name: AssetKey(["marts", name]) for name in MART_TABLES}
# Which parsed tables each mart is built from, for the lineage the UI shows.
MART_SOURCES = {
    "digests": ["digests"],
    "quarantine": ["quarantine"],
    "paper_appearances": ["paper_appearances", "digests"],
    "papers": ["paper_appearances", "digests"],
    "paper_authors": ["paper_authors", "paper_appearances"],
    "authors": ["paper_authors", "paper_appearances"],
    "paper_sections": ["paper_sections", "paper_appearances"],
    "entity_mentions": ["entity_mentions", "paper_appearances"],
    "results": ["results", "paper_appearances"],
    "entities": ["entity_mentions", "paper_appearances"],
    "entity_trends": ["entity_mentions", "paper_appearances"],
    "top_entities": ["entity_mentions", "paper_appearances"],
    "results_leaderboard": ["results", "paper_appearances"],
    "model_dataset_cooccurrence": ["entity_mentions", "paper_appearances"],
}
# The per-file asset that feeds each staging table.
STAGING_ASSETS = {**PARSED_ASSET_NAMES, **EXTRACTED_ASSET_NAMES}


def column_lineage(name: str) -> TableColumnLineage:
    """Mart columns carried over from a per-file table of the same column name (the first source
    that has it); computed columns (counts, ranks, resolved ids) have no single source column."""
    sources = [(source, set(STAGING_TABLES[source].to_schema().columns)) for source in MART_SOURCES[name]]
    deps = {}
    for column in MART_TABLES[name].to_schema().columns:
        source = next((source for source, columns in sources if column in columns), None)
        if source is not None:
            deps[column] = [TableColumnDep(asset_key=AssetKey(STAGING_ASSETS[source]), column_name=column)]
    return TableColumnLineage(deps_by_column=deps)


@multi_asset(
    specs=[
        AssetSpec(
            key,
            group_name="marts",
            kinds={"duckdb"},
            description=descriptions(MART_TABLES[name])[0],
            owners=["team:digest-pipeline"],
            deps=[STAGING_ASSETS[source] for source in MART_SOURCES[name]],
        )
        for name, key in MART_KEYS.items()
    ],
    ins={asset_name: AssetIn(asset_name) for asset_name in STAGING_ASSETS.values()},
)
def warehouse_marts(
    context: AssetExecutionContext,
    digest_input: DigestInput,
    warehouse: WarehouseResource,
    **per_file_tables: pl.DataFrame,
):
    """Replace staging rows of changed files, drop those of removed files, rebuild the marts."""
    tables = {table: per_file_tables[asset_name] for table, asset_name in STAGING_ASSETS.items()}
    store = warehouse.open()
    summary = store.sync(tables, roots=digest_input.roots())
    context.log.info(
        f"{summary.changed_files} files new or changed, {summary.unchanged_files} unchanged, "
        f"{summary.removed_files} removed; marts rebuilt in {store.path}"
    )
    for name, (count, preview) in store.mart_samples(rows=PREVIEW_ROWS).items():
        yield MaterializeResult(
            asset_key=MART_KEYS[name],
            metadata={
                **table_metadata(MART_TABLES[name], count, preview),
                "dagster/column_lineage": column_lineage(name),
                "database": str(store.path),
            },
        )
