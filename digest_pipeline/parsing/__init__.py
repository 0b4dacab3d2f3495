"""Text -> parsed digests. One module per digest format; detection looks at content only.

Adding a format is one new module exposing a `FORMAT = DigestFormat(...)` and one
entry in `FORMATS` below.
"""

from __future__ import annotations

from digest_pipeline.parsing import arxiv_uploads, hf_daily, markdown
from digest_pipeline.parsing.common import (
    DigestFormat,
    ParseContext,
    ParsedDigest,
    UnreadableFile,
    decode,
    split_lines,
)

# Most specific first: an arXiv digest may also contain `### ` headings.
FORMATS: tuple[DigestFormat, ...] = (arxiv_uploads.FORMAT, markdown.FORMAT, hf_daily.FORMAT)
DETECTION_LINES = 200


def detect_format(lines: list[str]) -> DigestFormat | None:
    head = lines[:DETECTION_LINES]
    return next((fmt for fmt in FORMATS if fmt.detect(head)), None)


def parse_digest(data: bytes, context: ParseContext) -> tuple[ParsedDigest, str]:
    """Parse one file's bytes, returning the digest and the encoding it was read in.

    Raises UnreadableFile when the file as a whole cannot be read as a digest.
    """
    text, encoding = decode(data)
    lines = split_lines(text)
    fmt = detect_format(lines)
    if fmt is None:
        first = next((line.strip() for line in lines if line.strip()), "")
        raise UnreadableFile(f"unknown digest format (first line: {first[:80]!r})")
    digest = fmt.parse(lines, context)
    if digest.digest_date is None:
        # The file names no usable date: it is dated by its reference date, flagged as inferred.
        digest.digest_date = context.reference_date
        digest.date_inferred = True
    return digest, encoding


__all__ = ["FORMATS", "ParseContext", "ParsedDigest", "UnreadableFile", "detect_format", "parse_digest"]
