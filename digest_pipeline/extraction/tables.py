"""Parsed titles and sections -> entity mention and result tables (the extracted stage)."""

import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context

import polars as pl

from digest_pipeline.extraction import extract, freeze_long_lived_objects
from digest_pipeline.extraction.components import AT_K
from digest_pipeline.extraction.gazetteer import entity_key, load_gazetteer, parameter_count
from digest_pipeline.schemas import EXTRACTED_TABLES, polars_schema
from digest_pipeline.tables import quarantine_row

TITLE = "Title"


def text_units(appearances: pl.DataFrame, sections: pl.DataFrame) -> pl.DataFrame:
    """Every text the extractor reads: each entry's title (section 0) and each section."""
    titles = appearances.select(
        "file_path",
        "position",
        pl.lit(0, dtype=pl.Int64).alias("section_position"),
        pl.lit(TITLE).alias("section_label"),
        pl.col("title").alias("text"),
        "line_number",
    )
    bodies = sections.select(
        "file_path",
        "position",
        "section_position",
        pl.col("label").alias("section_label"),
        "text",
        "line_number",
    )
    return pl.concat([titles, bodies]).sort("file_path", "position", "section_position")


# Below this many sections one process does it all: a worker process takes a few seconds to
# import spaCy and build the extractor, more than it would save on fewer texts.
PARALLEL_MIN_SECTIONS = 20_000
CHUNKS_PER_WORKER = 4  # smaller chunks even out the workers' loads


def available_cores() -> int:
    return len(os.sched_getaffinity(0))


class ExtractorBroken(RuntimeError):
    """The extractor failed on most entries of a run: a bug in it, not odd texts."""


# A few entries the extractor fails on are quarantined; failing on more than this share of a
# run's entries (and more than a couple), it is broken, and the step fails instead: otherwise a
# bad upgrade, which makes every file's rows again, would publish marts without entities.
MAX_FAILED_SHARE = 0.5
MAX_FAILED_ANYWAY = 2


def extract_entity_tables(
    appearances: pl.DataFrame, sections: pl.DataFrame, workers: int | None = None
) -> dict[str, pl.DataFrame]:
    """Entity mentions and results of every title and section. Many sections are split by
    file across `workers` processes (default: one per available core)."""
    tables = _extract_in_parts(appearances, sections, workers or available_cores())
    failed = tables["failed_texts"]
    entries = appearances.select("file_path", "position").n_unique()
    if failed.height > max(MAX_FAILED_ANYWAY, MAX_FAILED_SHARE * entries):
        first = failed.row(0, named=True)
        raise ExtractorBroken(
            f"the extractor failed on {failed.height} of {entries} entries, so it is broken rather "
            f"than meeting odd texts; nothing was staged. First: {first['file_path']}, line "
            f"{first['line_number']}: {first['reason']}"
        )
    return tables


def _extract_in_parts(
    appearances: pl.DataFrame, sections: pl.DataFrame, workers: int
) -> dict[str, pl.DataFrame]:
    if workers < 2 or sections.height < PARALLEL_MIN_SECTIONS:
        return _extract_tables((appearances, sections))
    files = sections.group_by("file_path").len().sort("len", descending=True)["file_path"].to_list()
    chunks = [files[start :: workers * CHUNKS_PER_WORKER] for start in range(workers * CHUNKS_PER_WORKER)]
    # Files with no sections (titles only) ride with the first chunk.
    chunks[0] += appearances.filter(~pl.col("file_path").is_in(files))["file_path"].unique().to_list()

    def part(chunk: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
        wanted = pl.col("file_path").is_in(chunk)
        return appearances.filter(wanted), sections.filter(wanted)

    tables = []
    # "spawn": a forked copy of a process running Dagster's threads may inherit a held lock.
    with ProcessPoolExecutor(
        workers, mp_context=get_context("spawn"), initializer=freeze_long_lived_objects
    ) as pool:
        # A few chunks in flight, in order: each chunk's copy of the texts exists only while
        # it waits or runs, which keeps a backfill's memory down.
        pending: deque[Future] = deque()
        for chunk in filter(None, chunks):
            pending.append(pool.submit(_extract_tables, part(chunk)))
            if len(pending) > workers:
                tables.append(pending.popleft().result())
        tables.extend(future.result() for future in pending)
    return {name: pl.concat([table[name] for table in tables]) for name in EXTRACTED_TABLES}


def _extract_tables(part: tuple[pl.DataFrame, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The extracted tables of every title and section, file by file: a file the extractor fails
    on is extracted again entry by entry, and an entry that fails is quarantined with why (in
    `failed_texts`), so that one bad text never stops the others."""
    appearances, sections = part
    units = text_units(appearances, sections)
    gazetteer = load_gazetteer()
    mentions, results, failed = [], [], []
    for file_units in units.partition_by("file_path", maintain_order=True):
        try:
            _add_rows(file_units, gazetteer, mentions, results)
        except Exception:
            for entry_units in file_units.partition_by("position", maintain_order=True):
                try:
                    _add_rows(entry_units, gazetteer, mentions, results)
                except Exception as error:
                    failed.append(_failure(entry_units, error))
    return {
        "entity_mentions": pl.DataFrame(
            mentions, schema=polars_schema(EXTRACTED_TABLES["entity_mentions"]), orient="row"
        ),
        "results": pl.DataFrame(results, schema=polars_schema(EXTRACTED_TABLES["results"]), orient="row"),
        "failed_texts": pl.DataFrame(failed, schema=polars_schema(EXTRACTED_TABLES["failed_texts"])),
    }


def _add_rows(units: pl.DataFrame, gazetteer, mentions: list[tuple], results: list[tuple]) -> None:
    """Extract `units` and append their rows; nothing is appended when extraction fails."""
    keys = units.select("file_path", "position", "section_position", "section_label").iter_rows()
    extractions = extract(
        units["text"],
        papers=units.select("file_path", "position").iter_rows(),
        titles=(units["section_position"] == 0),
    )
    found_mentions, found_results = [], []
    for key, extraction in zip(keys, extractions, strict=True):
        for m in extraction.mentions:
            known = gazetteer.lookup(m.label, m.canonical)
            is_model = m.label == "MODEL"
            found_mentions.append(
                (
                    *key,
                    f"{m.label}:{entity_key(m.canonical)}",
                    m.label,
                    m.canonical,
                    m.text,
                    m.start,
                    m.end,
                    m.method,
                    m.confidence,
                    (known.family or known.name) if is_model and known else None,
                    parameter_count(m.canonical) if is_model else None,
                )
            )
        found_results.extend(
            (
                *key[:3],
                r.metric,
                higher_is_better(gazetteer, r.metric),
                r.value,
                r.unit,
                r.dataset,
                r.model,
                r.sentence,
            )
            for r in extraction.results
        )
    mentions.extend(found_mentions)
    results.extend(found_results)


def _failure(entry: pl.DataFrame, error: Exception) -> dict:
    """The quarantine row of an entry the extractor failed on: the first of its texts that fails
    on its own, else the entry's title (it failed on the texts together)."""
    failing = entry.row(0, named=True)
    for unit in entry.iter_rows(named=True):
        try:
            list(extract([unit["text"]]))
        except Exception as own_error:
            failing, error = unit, own_error
            break
    return quarantine_row(
        failing["file_path"],
        failing["line_number"],
        f"the extractor failed on {failing['section_label']!r} of entry {failing['position']} "
        f"({type(error).__name__}: {error}); the entry has no entities or results",
        failing["text"],
    )


def higher_is_better(gazetteer, metric: str) -> bool | None:
    known = gazetteer.lookup("METRIC", AT_K.sub("", metric))
    return known.higher_is_better if known else None
