"""The entry engine shared by the formats whose papers are `###` headings with bullets.

Format A (markdown daily papers) and format C (arXiv new uploads) differ only in
their headings; the lines inside an entry (votes, authors, comments, thumbnail,
`- **Label**: text` bullets and their continuation lines) are read here once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from digest_pipeline.parsing.common import (
    PaperEntry,
    ParsedDigest,
    Problem,
    Section,
    arxiv_id_from_url,
    parse_bullet,
)


@dataclass(frozen=True, slots=True)
class Heading:
    """What a heading line starts: a digest date, a category, or a paper entry."""

    digest_date: date | None = None
    category: str | None = None
    title: str | None = None
    url: str | None = None
    problem: str | None = None


def parse_bulleted(
    lines: list[str], format_name: str, match_heading: Callable[[str], Heading | None]
) -> ParsedDigest:
    digest = ParsedDigest(format=format_name)
    category: str | None = None
    entry: PaperEntry | None = None
    awaiting_comment = False

    def close(end: int) -> None:
        if entry is None:
            return
        if entry.sections:
            digest.entries.append(entry)
        else:
            raw = "\n".join(lines[entry.line - 1 : end])
            digest.problems.append(
                Problem(entry.line, "entry has no summary bullets (cut off or empty)", raw)
            )

    for number, raw in enumerate(lines, 1):
        line = raw.rstrip()
        if not line.strip():
            continue
        heading = match_heading(line)
        if heading is not None:
            close(number - 1)
            entry = None
            awaiting_comment = False
            if heading.problem:
                digest.problems.append(Problem(number, heading.problem, line))
            elif heading.title is not None:
                entry = PaperEntry(
                    title=heading.title,
                    line=number,
                    url=heading.url,
                    arxiv_id=arxiv_id_from_url(heading.url),
                    category=category,
                )
            elif heading.category is not None:
                category = heading.category
            elif heading.digest_date is not None and digest.digest_date is None:
                digest.digest_date = heading.digest_date
            continue
        if entry is None:
            continue  # an introduction before the first heading is not paper data
        if awaiting_comment:
            awaiting_comment = False
            if raw[:1] in " \t":  # the comment is the one indented line after `Comments:`
                entry.comments = line.strip()
                continue
        bullet = parse_bullet(line)
        if bullet is not None:
            entry.sections.append(Section(label=bullet[0], text=bullet[1], line=number))
        elif line.startswith("Vote:"):
            value = line.removeprefix("Vote:").strip()
            if value.isdigit():
                entry.votes = int(value)
            elif value not in {"-", ""}:
                digest.problems.append(Problem(number, f"vote is not a number: {value!r}", line))
        elif line.startswith("Authors:"):
            names = [name.strip() for name in line.removeprefix("Authors:").split(",")]
            # The page hides middle authors behind a "+": a truncation mark, not a name.
            entry.authors_truncated = "+" in names
            entry.authors = [name for name in names if name and name != "+"]
        elif line.startswith("Comments:"):
            entry.comments = line.removeprefix("Comments:").strip() or None
            awaiting_comment = entry.comments is None
        elif line.startswith("!["):
            continue  # thumbnail image
        elif entry.sections:
            last = entry.sections[-1]
            entry.sections[-1] = Section(last.label, f"{last.text} {line.strip()}", last.line)
        else:
            digest.problems.append(Problem(number, f"unrecognised line in entry {entry.title[:60]!r}", line))
    close(len(lines))
    return digest
