"""Format C: arXiv "new uploads" digests, several categories back to back.

New uploads on arXiv(cs.CL)
### Title (https://arxiv.org/abs/2408.11815)
Comments:
    6 pages, 3 figures
- **What's New**: ...
"""

from __future__ import annotations

import re

from digest_pipeline.parsing.bulleted import Heading, parse_bulleted
from digest_pipeline.parsing.common import DigestFormat, ParseContext, ParsedDigest

CATEGORY_HEADING = re.compile(r"^New uploads on arXiv\s*\((?P<category>[^()]+)\)\s*$")


def detect(lines: list[str]) -> bool:
    return any(CATEGORY_HEADING.match(line) for line in lines)


def match_heading(line: str) -> Heading | None:
    if line.startswith("New uploads on arXiv"):
        match = CATEGORY_HEADING.match(line)
        return Heading(category=match.group("category").strip()) if match else None
    if not line.startswith("### "):
        return None
    heading = line[4:].strip()
    split = heading.rfind(" (http")
    if split > 0 and heading.endswith(")"):
        return Heading(title=heading[:split].strip(), url=heading[split + 2 : -1].strip())
    return Heading(title=heading)


def parse_arxiv_uploads_digest(lines: list[str], context: ParseContext | None = None) -> ParsedDigest:
    return parse_bulleted(lines, FORMAT.name, match_heading)


FORMAT = DigestFormat("arxiv_new_uploads", detect, parse_arxiv_uploads_digest)
