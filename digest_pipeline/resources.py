"""Dagster resources: where digests come from and the one door to the database."""

import os
from datetime import datetime
from pathlib import Path

import polars as pl
from dagster import ConfigurableIOManager, ConfigurableResource, InputContext, OutputContext
from pydantic import Field

from digest_pipeline.assets import STAGING_ASSETS
from digest_pipeline.sources import DigestFile, describe, find_digest_files
from digest_pipeline.storage import Warehouse

DEFAULT_INPUT = "seeds"
DEFAULT_DATABASE = "data/digests.duckdb"


def default_input() -> str:
    return os.environ.get("DIGEST_PIPELINE_INPUT", DEFAULT_INPUT)


def default_database() -> str:
    return os.environ.get("DIGEST_PIPELINE_DB", DEFAULT_DATABASE)


class DigestInput(ConfigurableResource):
    """The digest files to ingest: folders (their direct children) or single files."""

    paths: list[str] = Field(description="Folders or files holding digest files.")
    year: int | None = Field(
        default=None,
        description="Year for digests whose dates carry none (format B); "
        "default: the latest year that puts the date on or before the file's modification time.",
    )

    def roots(self) -> list[str]:
        return [str(Path(path).resolve()) for path in self.paths]

    def files(self) -> list[DigestFile]:
        return find_digest_files(self.paths)

    def describe(self, file_path: str) -> tuple[str, int | None, datetime | None, str | None]:
        return describe(file_path, self.paths)


class WarehouseResource(ConfigurableResource):
    """The DuckDB file analysts query (env DIGEST_PIPELINE_DB, default data/digests.duckdb)."""

    database: str = Field(description="Path of the DuckDB file.")

    def open(self) -> Warehouse:
        return Warehouse(Path(self.database).resolve())


class StagingIOManager(ConfigurableIOManager):
    """Per-file tables live in the warehouse's staging tables: storing a run's output replaces
    the rows of its partitions (files) as a unit; loading reads the rows of the partitions asked for."""

    warehouse: WarehouseResource

    def handle_output(self, context: OutputContext, obj: pl.DataFrame) -> None:
        self.warehouse.open().stage(
            {_staging_table(context): obj}, list(context.asset_partition_keys), generation=context.run_id
        )

    def load_input(self, context: InputContext) -> pl.DataFrame:
        return self.warehouse.open().read_staging(
            _staging_table(context), list(context.asset_partition_keys), reader=context.step_context.run_id
        )


STAGING_TABLE_OF_ASSET = {asset_name: table for table, asset_name in STAGING_ASSETS.items()}


def _staging_table(context: InputContext | OutputContext) -> str:
    return STAGING_TABLE_OF_ASSET[context.asset_key.to_user_string()]
