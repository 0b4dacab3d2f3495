"""Entity tables from parsed tables: split across worker processes, the rows are the same; an
entry the extractor fails on is quarantined, and the rest extracted."""

import polars as pl
import pytest

from digest_pipeline.extraction import tables
from digest_pipeline.sources import find_digest_files
from digest_pipeline.tables import parse_files
from digest_pipeline_tests.conftest import ARXIV_SAMPLE, POISON, SEEDS, sorted_rows


def test_worker_processes_give_the_rows_one_process_gives(monkeypatch):
    parsed = parse_files(find_digest_files([SEEDS, ARXIV_SAMPLE]))
    arguments = (parsed["paper_appearances"], parsed["paper_sections"])
    alone = tables.extract_entity_tables(*arguments, workers=1)
    monkeypatch.setattr(tables, "PARALLEL_MIN_SECTIONS", 0)  # the seeds are too few to split otherwise
    split = tables.extract_entity_tables(*arguments, workers=2)
    for name in ("entity_mentions", "results"):
        assert alone[name].height > 0
        assert sorted_rows(split[name]).equals(sorted_rows(alone[name])), name


def test_an_entry_the_extractor_fails_on_is_quarantined_and_every_other_entry_is_extracted(
    poisoned_extractor,
):
    parsed = parse_files(find_digest_files([SEEDS, ARXIV_SAMPLE]))
    sections = parsed["paper_sections"]
    clean = tables.extract_entity_tables(parsed["paper_appearances"], sections)
    bad = sections.row(40, named=True)
    poisoned = sections.with_columns(
        pl.when(pl.int_range(pl.len()) == 40).then(pl.col("text") + POISON).otherwise(pl.col("text"))
    )
    found = tables.extract_entity_tables(parsed["paper_appearances"], poisoned)

    (failure,) = found["failed_texts"].iter_rows(named=True)
    assert (failure["file_path"], failure["line_number"]) == (bad["file_path"], bad["line_number"])
    assert bad["label"] in failure["reason"] and "RuntimeError: planted fault" in failure["reason"]
    assert failure["raw_text"] == bad["text"] + POISON
    # The entry's other texts go with it; every other entry, of its file too, is extracted as before.
    other_entries = ~((pl.col("file_path") == bad["file_path"]) & (pl.col("position") == bad["position"]))
    for name in ("entity_mentions", "results"):
        assert sorted_rows(found[name]).equals(sorted_rows(clean[name].filter(other_entries))), name
    assert clean["failed_texts"].is_empty()


def test_an_extractor_failing_on_most_entries_fails_instead_of_quarantining_them(poisoned_extractor):
    parsed = parse_files(find_digest_files([SEEDS]))
    poisoned = parsed["paper_sections"].with_columns(pl.col("text") + POISON)
    with pytest.raises(tables.ExtractorBroken, match=r"failed on 103 of 103 entries.*planted fault"):
        tables.extract_entity_tables(parsed["paper_appearances"], poisoned)
