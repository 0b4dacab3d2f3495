from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from digest_pipeline.extraction import results
from digest_pipeline.extraction.tables import extract_entity_tables
from digest_pipeline.extraction.tokenizer import source_text
from digest_pipeline.parsing import ParseContext
from digest_pipeline.schemas import RawDigestFiles, polars_schema
from digest_pipeline.sources import DigestFile, describe, find_digest_files
from digest_pipeline.storage import Warehouse
from digest_pipeline.tables import parse_files, stale_files

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
MARKDOWN_SEED = SEEDS / "000_dbe65cc6488eb29d.txt"
HF_PAGE_SEED = SEEDS / "002_1c168f04fb2e1c6e.txt"
ARXIV_SAMPLE = Path(__file__).resolve().parent / "data" / "arxiv_uploads.txt"


@pytest.fixture
def context() -> ParseContext:
    return ParseContext(reference_date=date(2024, 9, 20))


def source_lines(path: Path) -> list[str]:
    """The file's lines as an editor numbers them (1-based index = list index + 1)."""
    return path.read_text(encoding="utf-8-sig").splitlines()


@dataclass(frozen=True)
class Loaded:
    changed_files: int
    unchanged_files: int
    removed_files: int


def per_file_tables(
    files: list[DigestFile], inputs: list[str], year: int | None = None
) -> dict[str, pl.DataFrame]:
    """Every per-file table for `files`, as the Dagster assets make them, without Dagster."""
    raw = [describe(str(file.path), inputs) for file in files]
    tables = {"files": pl.DataFrame(raw, schema=polars_schema(RawDigestFiles), orient="row")}
    tables |= parse_files(files, year=year)
    tables |= extract_entity_tables(tables["paper_appearances"], tables["paper_sections"])
    return tables


def load(warehouse: Warehouse, folder: Path, year: int | None = None) -> Loaded:
    """One ingest run without Dagster: stage the new and changed files, rebuild the marts."""
    files = find_digest_files([folder])
    stale = stale_files(files, warehouse.staged_versions(), year)
    todo = [file for file in files if str(file.path) in stale]
    warehouse.stage(per_file_tables(todo, [str(folder)], year), [str(file.path) for file in todo])
    removed = warehouse.rebuild([str(folder.resolve())], present=[str(file.path) for file in files]).removed
    return Loaded(len(todo), len(files) - len(todo), removed)


def materialise(paths: list[str], database: Path, instance=None, everything: bool = False):
    """Run the ingest job in process the way `digest-pipeline ingest` does: register the file
    partitions, then run the new and changed ones and the marts."""
    from dagster import DagsterInstance

    from digest_pipeline.cli import IngestPlan
    from digest_pipeline.definitions import INGEST_JOB, build_definitions

    instance = instance or DagsterInstance.ephemeral()
    plan = IngestPlan.make(instance, paths, str(database), None, everything)
    job = build_definitions(paths, str(database)).resolve_job_def(INGEST_JOB)
    return job.execute_in_process(instance=instance, raise_on_error=False, **plan.execution())


def sorted_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """A frame in a set order, to compare with another regardless of row order."""
    return frame.sort(frame.columns, nulls_last=True)


POISON = "\u2063"  # an invisible separator no digest text holds: the planted fault's trigger


@pytest.fixture
def poisoned_extractor(monkeypatch):
    """The extractor, failing on any text that holds POISON, as a bug met by one odd text would."""
    find = results.ResultExtractor.find

    def failing_find(self, doc):
        if POISON in source_text(doc):
            raise RuntimeError("planted fault")
        return find(self, doc)

    monkeypatch.setattr(results.ResultExtractor, "find", failing_find)
