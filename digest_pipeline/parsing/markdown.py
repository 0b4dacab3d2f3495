"""Format A: markdown Hugging Face daily papers with Korean summaries.

## Daily Papers (2024-09-17)
### [Title](https://arxiv.org/abs/2409.09214)
Vote: 23
Authors: a, b, +, c
- **What's New**: ...
"""

from __future__ import annotations

import re
from datetime import date

from digest_pipeline.parsing.bulleted import Heading, parse_bulleted
from digest_pipeline.parsing.common import DigestFormat, ParseContext, ParsedDigest

DATE_HEADING = re.compile(r"^##\s+Daily Papers\s*\((?P<date>\d{4}-\d{2}-\d{2})\)\s*$")


def detect(lines: list[str]) -> bool:
    return any(DATE_HEADING.match(line) or line.startswith("### [") for line in lines)


def match_heading(line: str) -> Heading | None:
    if line.startswith("## "):
        match = DATE_HEADING.match(line)
        if match is None:  # another section: it ends the entry, and is kept for a person to see
            return Heading(problem="heading that is not a Daily Papers date")
        try:
            return Heading(digest_date=date.fromisoformat(match.group("date")))
        except ValueError:
            return Heading(problem=f"invalid digest date {match.group('date')!r}")
    if not line.startswith("### "):
        return None
    heading = line[4:].strip()
    # `[Title](url)`; the title may itself hold brackets, so split at the last "](".
    split = heading.rfind("](")
    if heading.startswith("[") and split > 0 and heading.endswith(")"):
        return Heading(title=heading[1:split].strip(), url=heading[split + 2 : -1].strip())
    return Heading(title=heading)


def parse_markdown_digest(lines: list[str], context: ParseContext | None = None) -> ParsedDigest:
    return parse_bulleted(lines, FORMAT.name, match_heading)


FORMAT = DigestFormat("markdown_daily_papers", detect, parse_markdown_digest)
