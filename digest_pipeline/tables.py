"""Parsed digests -> polars tables, one set of rows per file (the parsed stage)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import polars as pl

from digest_pipeline import __version__
from digest_pipeline.parsing import ParseContext, UnreadableFile, parse_digest
from digest_pipeline.parsing.common import detect_language, summary_mismatch, title_key
from digest_pipeline.schemas import PARSED_TABLES, polars_schema
from digest_pipeline.sources import DigestFile, content_hash

RAW_TEXT_LIMIT = 10_000


def parse_files(files: Iterable[DigestFile], year: int | None = None) -> dict[str, pl.DataFrame]:
    """Read and parse each file; a file that fails is quarantined and never stops the others."""
    rows: dict[str, list[dict]] = {name: [] for name in PARSED_TABLES}
    ingested_at = datetime.now(UTC).replace(tzinfo=None)
    for file in files:
        path = str(file.path)
        digest_row = {
            "file_path": path,
            "parsed_with": f"{__version__} year={year or 'inferred'}",
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
        try:
            data = file.path.read_bytes()
        except OSError as error:
            digest_row["content_hash"] = content_hash(b"")
            rows["quarantine"].append(_problem(path, None, f"cannot read file: {error.strerror}", ""))
            continue
        digest_row["content_hash"] = content_hash(data)
        context = ParseContext(reference_date=file.modified_date, year=year)
        try:
            digest, encoding = parse_digest(data, context)
        except UnreadableFile as error:
            raw = data[:RAW_TEXT_LIMIT].decode("utf-8", errors="replace")
            rows["quarantine"].append(_problem(path, None, str(error), raw))
            continue
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
            _problem(path, problem.line, problem.reason, problem.raw_text) for problem in digest.problems
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
    return {
        name: pl.DataFrame(table_rows, schema=polars_schema(PARSED_TABLES[name]), orient="row")
        if table_rows
        else pl.DataFrame(schema=polars_schema(PARSED_TABLES[name]))
        for name, table_rows in rows.items()
    }


def _problem(path: str, line: int | None, reason: str, raw_text: str) -> dict:
    return {"file_path": path, "line_number": line, "reason": reason, "raw_text": raw_text[:RAW_TEXT_LIMIT]}
