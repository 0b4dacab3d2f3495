"""Every table's schema, as pandera (polars) models. They are the table documentation.

Parsed tables are per-file: one digest file's rows, keyed by `file_path`, that can
be replaced as a unit. Mart tables are what analysts query. A column's
description is written once, here, and reused for the DuckDB `COMMENT ON` and
the Dagster UI.
"""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl


class Table(pa.DataFrameModel):
    class Config:
        strict = True


FILE_PATH = "Absolute path of the digest file the row comes from."
POSITION = "1-based position of the paper entry within its digest file."
LINE = "1-based line number in the digest file."


def file_path():
    """The `file_path` column every per-file table has (a pandera field)."""
    return pa.Field(description=FILE_PATH)


# -- raw ---------------------------------------------------------------------------


class RawDigestFiles(Table):
    """Digest files, one row per file partition: what the file system says about each."""

    file_path: str = pa.Field(description=FILE_PATH, unique=True)
    size_bytes: int | None = pa.Field(
        description="File size in bytes (null if it cannot be read).", ge=0, nullable=True
    )
    modified_at: dt.datetime | None = pa.Field(
        description="File modification time (UTC; null if it cannot be read).", nullable=True
    )
    problem: str | None = pa.Field(
        description="Why the file cannot be read (gone, not a file, outside the input folders), or null.",
        nullable=True,
    )


# -- parsed (per file) -----------------------------------------------------------


class ParsedDigests(Table):
    """Digest files: one row per input file, parsed or not."""

    file_path: str = pa.Field(description=FILE_PATH, unique=True)
    content_hash: str = pa.Field(description="SHA-256 of the file's bytes.", str_length=64)
    parsed_with: str = pa.Field(
        description="Pipeline version, a hash of its parsing and extraction code and data, and the year "
        "setting the rows were made with; rows are remade when it changes."
    )
    size_bytes: int | None = pa.Field(
        description="File size in bytes (null if it cannot be read).", ge=0, nullable=True
    )
    format: str | None = pa.Field(
        description="Detected digest format; null when the file could not be read as a digest.",
        nullable=True,
    )
    encoding: str | None = pa.Field(description="Text encoding the file was read in.", nullable=True)
    digest_date: dt.date | None = pa.Field(description="Date the digest covers.", nullable=True)
    date_inferred: bool = pa.Field(
        description="True when the file gives no full date and digest_date was inferred "
        "(year from the configured year or the file's modification time)."
    )
    categories: str | None = pa.Field(
        description="arXiv categories the digest covers, comma-separated (format C).", nullable=True
    )
    paper_count: int = pa.Field(description="Paper entries parsed from the file.", ge=0)
    problem_count: int = pa.Field(description="Quarantined items from the file.", ge=0)
    ingested_at: dt.datetime = pa.Field(description="When the file's rows were written (UTC).")


class ParsedAppearances(Table):
    """Paper entries as each digest shows them: one row per paper x digest file."""

    file_path: str = file_path()
    position: int = pa.Field(description=POSITION, ge=1)
    arxiv_id: str | None = pa.Field(
        description="arXiv id without version, when the entry links to arXiv.", nullable=True
    )
    title: str = pa.Field(
        description="Title as the digest writes it (may be cut short).", str_length={"min_value": 1}
    )
    title_key: str = pa.Field(description="Normalised title used to match papers without ids.")
    url: str | None = pa.Field(description="Link given for the paper.", nullable=True)
    abstract: str | None = pa.Field(description="English abstract (format B).", nullable=True)
    votes: int | None = pa.Field(
        description="Upvotes shown in the digest; null when shown as '-' or absent.", nullable=True, ge=0
    )
    category: str | None = pa.Field(
        description="arXiv category of this appearance (format C).", nullable=True
    )
    comments: str | None = pa.Field(description="arXiv comments line (format C).", nullable=True)
    line_number: int = pa.Field(description=LINE + " Of the entry's title.", ge=1)
    author_count: int = pa.Field(description="Authors named in the entry.", ge=0)
    authors_truncated: bool = pa.Field(
        description="True when the page hid some authors (a '+' in the author list)."
    )
    summary_mismatch: bool = pa.Field(
        description="True when the summary shares no word or acronym with the title: "
        "the digest probably summarised another document. Kept, but flagged."
    )


class ParsedPaperAuthors(Table):
    """Authors of each entry in listed order: one row per paper entry x author."""

    file_path: str = file_path()
    position: int = pa.Field(description=POSITION, ge=1)
    author_position: int = pa.Field(description="1-based order of the author in the list as shown.", ge=1)
    name: str = pa.Field(description="Author name as written.", str_length={"min_value": 1})


class ParsedSections(Table):
    """Summary text: one row per paper entry x section (bullet label, or 'Abstract')."""

    file_path: str = file_path()
    position: int = pa.Field(description=POSITION, ge=1)
    section_position: int = pa.Field(description="1-based order of the section within the entry.", ge=1)
    label: str = pa.Field(description="Section label as written (What's New, Abstract, ...).")
    text: str = pa.Field(description="Section text, markdown kept as written.")
    language: str = pa.Field(
        description="Detected language: 'ko' (Korean summary), 'en', or 'und' (no letters).",
        isin=["ko", "en", "und"],
    )
    line_number: int = pa.Field(description=LINE, ge=1)


class Quarantine(Table):
    """Everything that could not be parsed, with why: one row per bad file or entry."""

    file_path: str = file_path()
    line_number: int | None = pa.Field(
        description=LINE + " Null when the whole file is unreadable.", nullable=True, ge=1
    )
    reason: str = pa.Field(description="Why the item could not be parsed, for a person to read.")
    raw_text: str = pa.Field(description="The raw text kept for inspection (cut to 10,000 characters).")


# -- extracted entities (per file) ---------------------------------------------------

SECTION_POSITION = "Section within the entry: 0 for the title, else the section's 1-based position."
ENTITY_ID = "Entity id: type and folded canonical name ('MODEL:llama3.18b')."


class ExtractedMentions(Table):
    """Entity mentions found in titles and sections: one row per mention."""

    file_path: str = file_path()
    position: int = pa.Field(description=POSITION, ge=1)
    section_position: int = pa.Field(description=SECTION_POSITION, ge=0)
    section_label: str = pa.Field(description="'Title', or the section label the mention is in.")
    entity_id: str = pa.Field(description=ENTITY_ID)
    entity_type: str = pa.Field(description="MODEL, DATASET or METRIC.", isin=["MODEL", "DATASET", "METRIC"])
    canonical_name: str = pa.Field(description="Canonical name the mention maps to (size and version kept).")
    surface_text: str = pa.Field(description="The mention exactly as written.", str_length={"min_value": 1})
    start_char: int = pa.Field(
        description="Start offset of the mention in the section text (or title).", ge=0
    )
    end_char: int = pa.Field(description="End offset (exclusive) of the mention in the section text.", ge=1)
    method: str = pa.Field(
        description="How it was found: gazetteer (curated lists), context ('X dataset', 'X 모델'), "
        "shape (name patterns such as '-Bench', '-7B'), or paper (a name the paper introduces, "
        "found in its other texts).",
        isin=["gazetteer", "context", "paper", "shape"],
    )
    confidence: float = pa.Field(
        description="Rough precision of the method that found it (0-1).",
        in_range={"min_value": 0, "max_value": 1},
    )
    family: str | None = pa.Field(description="Model family (for models the gazetteers know).", nullable=True)
    parameter_count: float | None = pa.Field(
        description="Parameters the model's name states (8B -> 8e9).", nullable=True, ge=0
    )


class ExtractedResults(Table):
    """Reported results: one row per metric value found next to a metric mention."""

    file_path: str = file_path()
    position: int = pa.Field(description=POSITION, ge=1)
    section_position: int = pa.Field(description=SECTION_POSITION, ge=0)
    metric: str = pa.Field(description="Canonical metric name.")
    higher_is_better: bool | None = pa.Field(
        description="Whether a higher value of the metric is better (from the metric gazetteer); null when unknown.",
        nullable=True,
    )
    value: float = pa.Field(description="Reported value, as written (92.18 for 92.18%).")
    unit: str = pa.Field(description="'%', 'x' (times), 's', 'ms', 'pt' (points), or '' for a bare number.")
    dataset: str | None = pa.Field(
        description="Canonical dataset the value is reported on, when the sentence names one.", nullable=True
    )
    model: str | None = pa.Field(
        description="Canonical model the value belongs to, when the sentence names one.", nullable=True
    )
    sentence: str = pa.Field(description="The sentence the result comes from.")


# -- marts (what analysts query) -------------------------------------------------


class FailedTexts(Quarantine):
    """Paper entries the extractor failed on, with why: their entities and results are missing
    (their text is kept in the parsed tables). One row per entry, naming its first title or
    section that fails on its own (else its title)."""

    line_number: int = pa.Field(
        description=LINE + " Of the title or section the extractor failed on, else of the entry's title.",
        ge=1,
    )


PAPER_ID = "Paper id: the arXiv id when any digest gives one, else 't-' + a hash of the normalised title."


class MartPapers(Table):
    """Papers: one row per distinct paper across all digests."""

    paper_id: str = pa.Field(description=PAPER_ID, unique=True)
    arxiv_id: str | None = pa.Field(description="arXiv id, when known.", nullable=True)
    title: str = pa.Field(description="Fullest title seen across appearances.")
    abstract: str | None = pa.Field(description="English abstract, when a digest gives one.", nullable=True)
    first_digest_date: dt.date | None = pa.Field(
        description="Earliest digest date the paper appears on.", nullable=True
    )
    last_digest_date: dt.date | None = pa.Field(
        description="Latest digest date the paper appears on.", nullable=True
    )
    appearance_count: int = pa.Field(description="Digest files the paper appears in.", ge=1)
    max_votes: int | None = pa.Field(description="Highest vote count shown for the paper.", nullable=True)
    authors_truncated: bool = pa.Field(description="True when the author list is known to be incomplete.")
    summary_mismatch: bool = pa.Field(
        description="True when any digest's summary seems to be of another document."
    )


class MartAppearances(ParsedAppearances):
    """Paper appearances: one row per paper x digest file, with the resolved paper_id."""

    paper_id: str = pa.Field(description=PAPER_ID)
    digest_date: dt.date | None = pa.Field(
        description="Date of the digest this appearance is in.", nullable=True
    )


class MartAuthors(Table):
    """Authors: one row per distinct author name (case and spacing folded)."""

    author_id: str = pa.Field(description="Stable id: hash of the folded name.", unique=True)
    name: str = pa.Field(description="The most used spelling of the name.")
    paper_count: int = pa.Field(description="Distinct papers the author is listed on.", ge=1)


class MartPaperAuthors(Table):
    """Authorship: one row per paper x author, in listed order (from the fullest list seen)."""

    paper_id: str = pa.Field(description=PAPER_ID)
    author_id: str = pa.Field(description="Author id (marts.authors).")
    author_position: int = pa.Field(
        description="1-based order in the list as shown; hidden authors are not counted.", ge=1
    )
    name: str = pa.Field(description="Author name as this list writes it.")
    list_truncated: bool = pa.Field(description="True when the page hid some of this paper's authors.")


class MartSections(ParsedSections):
    """Paper sections: one row per paper x digest file x section."""

    paper_id: str = pa.Field(description=PAPER_ID)


class MartDigests(ParsedDigests):
    """Digest files: one row per ingested input file."""


class MartQuarantine(Quarantine):
    """Quarantined input: one row per file or entry that could not be parsed, and per entry the
    extractor failed on."""


class MartEntities(Table):
    """Entities: one row per distinct model, dataset or metric mentioned anywhere."""

    entity_id: str = pa.Field(description=ENTITY_ID, unique=True)
    entity_type: str = pa.Field(description="MODEL, DATASET or METRIC.", isin=["MODEL", "DATASET", "METRIC"])
    canonical_name: str = pa.Field(
        description="Canonical name (the most used spelling when no gazetteer knows it)."
    )
    family: str | None = pa.Field(description="Model family, when known.", nullable=True)
    parameter_count: float | None = pa.Field(description="Parameters the model's name states.", nullable=True)
    aliases_seen: str = pa.Field(description="Distinct spellings seen, separated by ' | '.")
    first_digest_date: dt.date | None = pa.Field(
        description="Earliest digest date it is mentioned on.", nullable=True
    )
    last_digest_date: dt.date | None = pa.Field(
        description="Latest digest date it is mentioned on.", nullable=True
    )
    paper_count: int = pa.Field(description="Distinct papers mentioning it.", ge=1)
    mention_count: int = pa.Field(description="Mentions in all titles and sections.", ge=1)


class MartEntityMentions(ExtractedMentions):
    """Entity mentions: one row per paper x digest x section x mention."""

    paper_id: str = pa.Field(description=PAPER_ID)
    digest_date: dt.date | None = pa.Field(description="Date of the digest the mention is in.", nullable=True)


class MartResults(ExtractedResults):
    """Reported results: one row per paper x digest x metric value."""

    paper_id: str = pa.Field(description=PAPER_ID)
    digest_date: dt.date | None = pa.Field(description="Date of the digest the result is in.", nullable=True)


class MartEntityTrends(Table):
    """Entity trends: one row per entity x digest date (with its ISO week), counting mentions and papers."""

    entity_id: str = pa.Field(description=ENTITY_ID)
    entity_type: str = pa.Field(description="MODEL, DATASET or METRIC.", isin=["MODEL", "DATASET", "METRIC"])
    canonical_name: str = pa.Field(description="Canonical name (marts.entities).")
    digest_date: dt.date | None = pa.Field(description="Digest date.", nullable=True)
    iso_week: str | None = pa.Field(description="ISO week of the digest date, as YYYY-Www.", nullable=True)
    mentions: int = pa.Field(description="Mentions on that date.", ge=1)
    papers: int = pa.Field(description="Distinct papers mentioning it on that date.", ge=1)


class MartTopEntities(Table):
    """Top entities: one row per entity type x rank (the 50 most-mentioned-by-papers of each type)."""

    entity_type: str = pa.Field(description="MODEL, DATASET or METRIC.", isin=["MODEL", "DATASET", "METRIC"])
    rank: int = pa.Field(description="1 = mentioned by the most papers (ties share a rank).", ge=1)
    entity_id: str = pa.Field(description=ENTITY_ID, unique=True)
    canonical_name: str = pa.Field(description="Canonical name.")
    paper_count: int = pa.Field(description="Distinct papers mentioning it.", ge=1)
    mention_count: int = pa.Field(description="All mentions.", ge=1)


class MartLeaderboard(Table):
    """Results leaderboard: one row per dataset x metric x unit x paper, the paper's best reported value, ranked."""

    dataset: str = pa.Field(description="Canonical dataset.")
    metric: str = pa.Field(description="Canonical metric.")
    unit: str = pa.Field(
        description="Unit of the values compared (values with different units are not ranked together)."
    )
    higher_is_better: bool | None = pa.Field(
        description="Direction of 'better' for the metric; null when unknown (then ranked by higher value).",
        nullable=True,
    )
    paper_id: str = pa.Field(description=PAPER_ID)
    best_value: float = pa.Field(description="The paper's best value for this dataset, metric and unit.")
    model: str | None = pa.Field(
        description="A model the best value is reported for, when named.", nullable=True
    )
    rank: int = pa.Field(description="1 = best among papers on this dataset, metric and unit.", ge=1)


class MartCooccurrence(Table):
    """Model x dataset co-occurrence: one row per pair mentioned in the same paper, with the papers counted."""

    model: str = pa.Field(description="Canonical model name.")
    dataset: str = pa.Field(description="Canonical dataset name.")
    papers: int = pa.Field(description="Distinct papers mentioning both.", ge=1)


PARSED_TABLES: dict[str, type[Table]] = {
    "digests": ParsedDigests,
    "paper_appearances": ParsedAppearances,
    "paper_authors": ParsedPaperAuthors,
    "paper_sections": ParsedSections,
    "quarantine": Quarantine,
}

EXTRACTED_TABLES: dict[str, type[Table]] = {
    "entity_mentions": ExtractedMentions,
    "results": ExtractedResults,
    "failed_texts": FailedTexts,
}

# Every per-file table: what storage keeps per file and replaces when the file changes.
STAGING_TABLES: dict[str, type[Table]] = {"files": RawDigestFiles, **PARSED_TABLES, **EXTRACTED_TABLES}

MART_TABLES: dict[str, type[Table]] = {
    "papers": MartPapers,
    "authors": MartAuthors,
    "paper_authors": MartPaperAuthors,
    "paper_appearances": MartAppearances,
    "paper_sections": MartSections,
    "digests": MartDigests,
    "quarantine": MartQuarantine,
    "entities": MartEntities,
    "entity_mentions": MartEntityMentions,
    "results": MartResults,
    "entity_trends": MartEntityTrends,
    "top_entities": MartTopEntities,
    "results_leaderboard": MartLeaderboard,
    "model_dataset_cooccurrence": MartCooccurrence,
}


def polars_schema(model: type[Table]) -> pl.Schema:
    """The exact polars dtypes a model's frame is built with."""
    return pl.Schema({name: column.dtype.type for name, column in model.to_schema().columns.items()})


def descriptions(model: type[Table]) -> tuple[str, dict[str, str]]:
    """(table description, column -> description), for DuckDB comments and the UI."""
    schema = model.to_schema()
    return (
        (model.__doc__ or "").strip(),
        {name: column.description or "" for name, column in schema.columns.items()},
    )


def validation_failures(model: type[Table], frame: pl.DataFrame) -> pl.DataFrame:
    """Every failing value with its check and row index; empty when the frame is valid."""
    try:
        model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return errors.failure_cases
    return pl.DataFrame()
