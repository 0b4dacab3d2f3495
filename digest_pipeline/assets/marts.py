"""Marts layer: the analyst tables in DuckDB, rebuilt from per-file staging rows."""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    TableColumnDep,
    TableColumnLineage,
    multi_asset,
)

from digest_pipeline.assets import PREVIEW_ROWS, STAGING_ASSETS, table_metadata
from digest_pipeline.resources import DigestInput, WarehouseResource
from digest_pipeline.schemas import MART_TABLES, STAGING_TABLES, descriptions

MART_KEYS = {name: AssetKey(["marts", name]) for name in MART_TABLES}
# Which parsed tables each mart is built from, for the lineage the UI shows.
MART_SOURCES = {
    "digests": ["digests"],
    "quarantine": ["quarantine", "failed_texts"],
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
)
def warehouse_marts(context: AssetExecutionContext, digest_input: DigestInput, warehouse: WarehouseResource):
    """Rebuild the marts from the staged rows of every file partition; the rows of files that left
    the input folders are dropped first. Publishes the analyst file atomically."""
    store = warehouse.open()
    rebuilt = store.rebuild(
        digest_input.roots(), present=lambda: [str(file.path) for file in digest_input.files()]
    )
    context.log.info(f"marts rebuilt in {store.path}; rows of {rebuilt.removed} vanished files dropped")
    if rebuilt.waiting:
        context.log.warning(
            f"{len(rebuilt.waiting)} file(s) are not staged in full (a run is still staging them, or "
            "failed to): the marts keep their last version staged in full, if any, until they are: "
            f"{', '.join(rebuilt.waiting[:10])}"
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
