"""Dagster resources: where digests come from and the one door to the database."""

import os
from pathlib import Path

from dagster import ConfigurableResource
from pydantic import Field

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


class WarehouseResource(ConfigurableResource):
    """The DuckDB file analysts query (env DIGEST_PIPELINE_DB, default data/digests.duckdb)."""

    database: str = Field(description="Path of the DuckDB file.")

    def open(self) -> Warehouse:
        return Warehouse(Path(self.database).resolve())
