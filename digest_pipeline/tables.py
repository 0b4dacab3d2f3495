"""Parsed digests -> polars tables, one set of rows per file (the parsed stage)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path

import polars as pl

from digest_pipeline import __version__
from digest_pipeline.parsing import ParseContext, UnreadableFile, parse_digest
from digest_pipeline.parsing.common import detect_language, summary_mismatch, title_key
from digest_pipeline.schemas import PARSED_TABLES, polars_schema
from digest_pipeline.sources import DigestFile, content_hash, file_hash

RAW_TEXT_LIMIT = 10_000
# Digests run to a few MB at most (hundreds of entries); a file many times larger is not a
# digest, and parsing it would hold it, its lines and its rows in memory several times over.
MAX_FILE_BYTES = 64 * 2**20


# What makes a file's rows: its parsers, its extractor with the gazetteers (not its evaluator),
# these tables, and spaCy.
ROW_MAKERS = ("parsing", "extraction", "sources.py", "tables.py", "schemas.py")
NOT_ROW_MAKERS = ("extraction/evaluate.py",)
PACKAGE = Path(__file__).resolve().parent


@cache
def code_fingerprint(package: Path = PACKAGE) -> str:
    """A hash of the code and data that make the per-file rows: after an upgrade (a better
    parser or extractor, a gazetteer entry more, another spaCy), every file's rows are made again."""
    digest = hashlib.sha256(metadata.version("spacy").encode())
    for name in ROW_MAKERS:
        path = package / name
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            relative = file.relative_to(package).as_posix()
            if file.suffix in (".py", ".jsonl") and relative not in NOT_ROW_MAKERS:
                digest.update(relative.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:12]


def parsed_with(year: int | None) -> str:
    """What a file's rows were made with: rows made otherwise are remade, even if the file is unchanged."""
    return f"{__version__}+{code_fingerprint()} year={year or 'inferred'}"


def stale_files(
    files: Iterable[DigestFile], staged: dict[str, tuple[str, str]], year: int | None
) -> set[str]:
    """The files whose content, or the pipeline version and settings, differ from what is staged
    (`staged`: path -> (content hash, parsed_with)); unreadable files count, to be quarantined."""
    version = parsed_with(year)
    stale = set()
    for file in files:
        try:
            current = (file_hash(file.path), version)
        except OSError:
            # Staged again every run, so that its quarantine row says why; a new unreadable
            # file compared as `None` with "not staged" would otherwise vanish without a trace.
            stale.add(str(file.path))
            continue
        if staged.get(str(file.path)) != current:
            stale.add(str(file.path))
    return stale


# Rows wait as Python dicts for this many files, then become frames: dicts cost several
# times the memory of the frame, and a backfill of thousands of files would hold them all.
FILES_PER_FLUSH = 50


def parse_files(files: Iterable[DigestFile], year: int | None = None) -> dict[str, pl.DataFrame]:
    """Read and parse each file; a file that fails is quarantined and never stops the others."""
    rows: dict[str, list[dict]] = {name: [] for name in PARSED_TABLES}
    frames: dict[str, list[pl.DataFrame]] = {name: [] for name in PARSED_TABLES}
    ingested_at = datetime.now(UTC).replace(tzinfo=None)
    for number, file in enumerate(files, 1):
        _add_rows(rows, file, year, ingested_at)
        if number % FILES_PER_FLUSH == 0:
            _flush(rows, frames)
    _flush(rows, frames)
    return {
        name: pl.concat(parts) if parts else pl.DataFrame(schema=polars_schema(PARSED_TABLES[name]))
        for name, parts in frames.items()
    }


def _flush(rows: dict[str, list[dict]], frames: dict[str, list[pl.DataFrame]]) -> None:
    for name, table_rows in rows.items():
        if table_rows:
            frames[name].append(
                pl.DataFrame(table_rows, schema=polars_schema(PARSED_TABLES[name]), orient="row")
            )
            table_rows.clear()


def _add_rows(rows: dict[str, list[dict]], file: DigestFile, year: int | None, ingested_at: datetime) -> None:
    """Append one file's rows: its digest row, and its entries or why it has none."""
    path = str(file.path)
    digest_row = {
        "file_path": path,
        "parsed_with": parsed_with(year),
        "size_bytes": file.size_bytes,
        "format": None,
        "encoding": None,
        "digest_date": None,
        "date_inferred": False,
        "categories": None,
        "paper_count": 0,
        "problem_count": 1,
        "ingested_at": ingested_at,
    }
    rows["digests"].append(digest_row)
    data, problem = _read(file)
    if data is None:
        digest_row["content_hash"] = content_hash(b"")
        rows["quarantine"].append(quarantine_row(path, None, problem, ""))
        return
    digest_row["content_hash"] = content_hash(data)
    context = ParseContext(reference_date=file.modified_date, year=year)
    try:
        digest, encoding = parse_digest(data, context)
    except UnreadableFile as error:
        raw = data[:RAW_TEXT_LIMIT].decode("utf-8", errors="replace")
        rows["quarantine"].append(quarantine_row(path, None, str(error), raw))
        return
    categories = sorted({entry.category for entry in digest.entries if entry.category})
    digest_row.update(
        format=digest.format,
        encoding=encoding,
        digest_date=digest.digest_date,
        date_inferred=digest.date_inferred,
        categories=",".join(categories) or None,
        paper_count=len(digest.entries),
        problem_count=len(digest.problems),
    )
    rows["quarantine"].extend(
        quarantine_row(path, problem.line, problem.reason, problem.raw_text) for problem in digest.problems
    )
    for position, entry in enumerate(digest.entries, 1):
        texts = [section.text for section in entry.sections]
        rows["paper_appearances"].append(
            {
                "file_path": path,
                "position": position,
                "arxiv_id": entry.arxiv_id,
                "title": entry.title,
                "title_key": title_key(entry.title),
                "url": entry.url,
                "abstract": entry.abstract,
                "votes": entry.votes,
                "category": entry.category,
                "comments": entry.comments,
                "line_number": entry.line,
                "author_count": len(entry.authors),
                "authors_truncated": entry.authors_truncated,
                "summary_mismatch": summary_mismatch(entry.title, texts),
            }
        )
        rows["paper_authors"].extend(
            {"file_path": path, "position": position, "author_position": order, "name": name}
            for order, name in enumerate(entry.authors, 1)
        )
        rows["paper_sections"].extend(
            {
                "file_path": path,
                "position": position,
                "section_position": order,
                "label": section.label,
                "text": section.text,
                "language": detect_language(section.text),
                "line_number": section.line,
            }
            for order, section in enumerate(entry.sections, 1)
        )


def _read(file: DigestFile) -> tuple[bytes | None, str | None]:
    """The file's bytes, or why they cannot be had."""
    if file.problem:
        return None, file.problem
    try:
        with file.path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            # Read one byte past the limit: the file may have grown since it was listed.
            data = handle.read(MAX_FILE_BYTES + 1) if size <= MAX_FILE_BYTES else b""
    except OSError as error:
        return None, f"cannot read file: {error.strerror}"
    if size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
        size_mb = max(size, len(data)) / 2**20
        limit_mb = MAX_FILE_BYTES // 2**20
        return None, f"file too large to be a digest ({size_mb:.0f} MB, limit {limit_mb} MB); not read"
    return data, None


def quarantine_row(path: str, line: int | None, reason: str, raw_text: str) -> dict:
    return {"file_path": path, "line_number": line, "reason": reason, "raw_text": raw_text[:RAW_TEXT_LIMIT]}
