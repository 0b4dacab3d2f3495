"""The Dagster layer: the asset graph materialises in process, and its checks bite."""

import duckdb
import polars as pl
from dagster import AssetKey

from digest_pipeline.assets import pandera_type
from digest_pipeline.checks import mart_schema_check, schema_checks
from digest_pipeline.definitions import build_definitions
from digest_pipeline.resources import WarehouseResource
from digest_pipeline.schemas import ParsedAppearances, polars_schema
from digest_pipeline_tests.conftest import SEEDS, materialise


def test_the_whole_graph_materialises_and_its_checks_pass(tmp_path):
    database = tmp_path / "digests.duckdb"
    result = materialise([str(SEEDS)], database)
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == len(schema_checks)  # one per mart
    assert all(evaluation.passed for evaluation in evaluations)
    materialised = {event.asset_key for event in result.get_asset_materialization_events()}
    assert {
        AssetKey(["marts", "papers"]),
        AssetKey("parsed_paper_sections"),
        AssetKey("ingested_files"),
    } <= materialised
    with duckdb.connect(str(database), read_only=True) as db:
        assert db.execute("SELECT count(*) FROM marts.papers").fetchone()[0] == 14 + 89
        comment = db.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'papers'").fetchone()[0]
        assert comment.startswith("Papers: one row per distinct paper")


def test_the_asset_graph_has_lineage_from_files_to_marts():
    defs = build_definitions([str(SEEDS)], "unused.duckdb")
    graph = defs.resolve_asset_graph()
    assert graph.get(AssetKey("parsed_digests")).parent_keys == {AssetKey("digest_files")}
    assert graph.get(AssetKey(["marts", "papers"])).parent_keys == {
        AssetKey("parsed_paper_appearances"),
        AssetKey("parsed_digests"),
    }


def all_null_row(model) -> pl.DataFrame:
    return pl.DataFrame({name: [None] for name in model.to_schema().columns}, schema=polars_schema(model))


def test_a_parsed_table_with_bad_rows_fails_its_type_check():
    check = pandera_type(ParsedAppearances).type_check(None, all_null_row(ParsedAppearances))
    assert not check.success
    assert "file_path" in check.description and "not_nullable" in check.description


def test_mart_check_fails_and_names_the_failing_rows(tmp_path):
    database = tmp_path / "digests.duckdb"
    materialise([str(SEEDS)], database)
    with duckdb.connect(str(database)) as db:
        db.execute("INSERT INTO marts.papers SELECT * FROM marts.papers LIMIT 1")  # a duplicate paper_id
    check = mart_schema_check("papers")
    result = check(warehouse=WarehouseResource(database=str(database)))
    assert not result.passed
    assert result.metadata["failing_values"].value == 2
    assert "field_uniqueness" in result.metadata["failing_rows"].value


def test_every_asset_carries_a_description_group_owner_and_kind():
    graph = build_definitions([str(SEEDS)], "unused.duckdb").resolve_asset_graph()
    nodes = [graph.get(key) for key in graph.get_all_asset_keys()]
    assert len(nodes) == 24  # 1 raw, 5 parsed, 3 extracted, 1 outcome, 14 marts
    for node in nodes:
        assert node.description and node.owners, node.key
        assert node.group_name in {"raw", "parsed", "entities", "outcomes", "marts"}, node.key
        assert {kind for kind in node.kinds} & {"polars", "duckdb", "spacy"}, node.key


def test_materialisations_carry_row_counts_column_schemas_and_previews(tmp_path):
    result = materialise([str(SEEDS)], tmp_path / "d.duckdb")
    metadata = {
        event.asset_key.to_user_string(): event.materialization.metadata
        for event in result.get_asset_materialization_events()
    }
    papers = metadata["marts/papers"]
    assert papers["dagster/row_count"].value == 103
    columns = {column.name: column.description for column in papers["dagster/column_schema"].schema.columns}
    assert columns["summary_mismatch"].startswith("True when any digest's summary")
    preview = papers["preview"].value.splitlines()
    assert "paper_id" in preview[0] and len(preview) == 2 + 5  # header, rule, five rows
    # Two files in one run: each file's materialisation carries the run's totals.
    assert metadata["parsed_paper_sections"]["rows_in_run"].value == 132
    assert metadata["parsed_paper_sections"]["files_in_run"].value == 2
    lineage = metadata["marts/paper_sections"]["dagster/column_lineage"].value.deps_by_column
    assert lineage["text"][0].asset_key == AssetKey("parsed_paper_sections")
    assert "paper_id" not in lineage  # resolved across digests: no single source column


def test_per_file_assets_declare_their_column_schema():
    graph = build_definitions([str(SEEDS)], "unused.duckdb").resolve_asset_graph()
    schema = graph.get(AssetKey("extracted_results")).metadata["dagster/column_schema"]
    assert {column.name for column in schema.columns} >= {"metric", "value", "unit", "dataset"}
