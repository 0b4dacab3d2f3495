"""Format B: text copied from the Hugging Face "Daily Papers" page.

Page chrome ("Subscribe", "byAK and the research community", ...), a date with
no year ("Aug 6"), then paragraphs alternating title / abstract. There are no
arXiv ids, so papers are known by their normalised titles.
"""

from __future__ import annotations

import re
from datetime import date

from digest_pipeline.parsing.common import (
    DigestFormat,
    PaperEntry,
    ParseContext,
    ParsedDigest,
    Problem,
    Section,
)

CHROME = frozenset(
    {
        "new",
        "Get trending papers in your email inbox!",
        "Subscribe",
        "Daily Papers",
        "byAK and the research community",
    }
)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH_DAY = re.compile(r"^(?P<month>[A-Za-z]{3})[a-z]*\.?\s+(?P<day>\d{1,2})$")
# An abstract is a paragraph; a title is a line. Shorter than this cannot be an abstract.
MIN_ABSTRACT_CHARS = 150
MAX_TITLE_CHARS = 400


def detect(lines: list[str]) -> bool:
    return sum(line.strip() in CHROME for line in lines[:40]) >= 2


def paragraphs(lines: list[str]) -> list[tuple[int, str]]:
    """Runs of non-blank lines joined by spaces, with the line number each starts on."""
    found: list[tuple[int, str]] = []
    start, parts = 0, []
    for number, line in enumerate([*lines, ""], 1):
        if line.strip():
            if not parts:
                start = number
            parts.append(line.strip())
        elif parts:
            found.append((start, " ".join(parts)))
            parts = []
    return found


def infer_date(month: str, day: int, context: ParseContext) -> date:
    """The page shows no year: take the configured one, else the latest year not after the reference date."""
    number = MONTHS.index(month.lower()) + 1
    if context.year is not None:
        return date(context.year, number, day)
    candidate = date(context.reference_date.year, number, day)
    if candidate > context.reference_date:
        return date(context.reference_date.year - 1, number, day)
    return candidate


def parse_hf_daily_digest(lines: list[str], context: ParseContext) -> ParsedDigest:
    digest = ParsedDigest(format=FORMAT.name)
    title: tuple[int, str] | None = None
    for number, text in paragraphs(lines):
        if text in CHROME and not digest.entries and title is None:
            continue
        month_day = MONTH_DAY.match(text)
        if month_day and month_day.group("month").lower() in MONTHS:
            try:
                digest.digest_date = infer_date(
                    month_day.group("month"), int(month_day.group("day")), context
                )
                digest.date_inferred = True
            except ValueError:
                digest.problems.append(Problem(number, f"invalid date {text!r}", text))
            continue
        if title is None:
            if len(text) > MAX_TITLE_CHARS:
                digest.problems.append(Problem(number, "abstract without a title", text))
            else:
                title = (number, text)
            continue
        if len(text) < MIN_ABSTRACT_CHARS:
            digest.problems.append(Problem(title[0], "title without an abstract", title[1]))
            title = (number, text)
            continue
        digest.entries.append(
            PaperEntry(
                title=title[1],
                line=title[0],
                abstract=text,
                sections=[Section(label="Abstract", text=text, line=number)],
            )
        )
        title = None
    if title is not None:
        digest.problems.append(Problem(title[0], "title without an abstract (cut off?)", title[1]))
    return digest


FORMAT = DigestFormat("hf_daily_papers_page", detect, parse_hf_daily_digest)
