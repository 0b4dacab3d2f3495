"""Entity tables from parsed tables: split across worker processes, the rows are the same."""

import polars as pl

from digest_pipeline.extraction import tables
from digest_pipeline.sources import find_digest_files
from digest_pipeline.tables import parse_files
from digest_pipeline_tests.conftest import ARXIV_SAMPLE, SEEDS


def sorted_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def test_worker_processes_give_the_rows_one_process_gives(monkeypatch):
    parsed = parse_files(find_digest_files([SEEDS, ARXIV_SAMPLE]))
    arguments = (parsed["paper_appearances"], parsed["paper_sections"])
    alone = tables.extract_entity_tables(*arguments, workers=1)
    monkeypatch.setattr(tables, "PARALLEL_MIN_SECTIONS", 0)  # the seeds are too few to split otherwise
    split = tables.extract_entity_tables(*arguments, workers=2)
    for name in ("entity_mentions", "results"):
        assert alone[name].height > 0
        assert sorted_rows(split[name]).equals(sorted_rows(alone[name])), name
