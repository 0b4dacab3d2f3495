"""What every digest parser shares: decoded lines, parsed records, ids and titles."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

ARXIV_URL = re.compile(
    r"arxiv\.org/(?:abs|pdf)/(?P<id>\d{4}\.\d{4,5}|[a-z][a-z.-]*/\d{7})(?:v\d+)?",
    re.IGNORECASE,
)
# `- **Label**: text`, also written `**Label:**`; a label is data, never a fixed list.
BULLET = re.compile(r"^\s*[-*]\s+\*\*(?P<label>[^*\n]{1,120}?):?\*\*:?[ \t]*(?P<text>.*)$")
LATEX_COMMAND = re.compile(r"\\[a-zA-Z]+\s*")
NOT_WORD = re.compile(r"[^\w]+")
NOT_ASCII_LETTERS = bytes(byte for byte in range(128) if not chr(byte).isalpha())
NOT_HANGUL = re.compile(r"[^\uac00-\ud7a3]+")


class UnreadableFile(Exception):
    """The file's bytes cannot be read as a text digest (binary, unknown encoding, empty)."""


@dataclass(frozen=True, slots=True)
class Section:
    label: str
    text: str
    line: int


@dataclass(slots=True)
class PaperEntry:
    """One paper as one digest shows it, before any cross-file resolution."""

    title: str
    line: int
    url: str | None = None
    arxiv_id: str | None = None
    votes: int | None = None
    authors: list[str] = field(default_factory=list)
    authors_truncated: bool = False
    sections: list[Section] = field(default_factory=list)
    abstract: str | None = None
    category: str | None = None
    comments: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """Something in a file that could not be parsed; it goes to quarantine, never away."""

    line: int
    reason: str
    raw_text: str


@dataclass(frozen=True, slots=True)
class ParseContext:
    """What a file does not say about itself: the date its year-less dates are read against."""

    reference_date: date
    year: int | None = None


@dataclass(slots=True)
class ParsedDigest:
    format: str
    digest_date: date | None = None
    date_inferred: bool = False
    entries: list[PaperEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DigestFormat:
    """A digest format: how to recognise its lines and how to parse them."""

    name: str
    detect: Callable[[list[str]], bool]
    parse: Callable[[list[str], ParseContext], ParsedDigest]


def decode(data: bytes) -> tuple[str, str]:
    """Decode a digest file's bytes, returning (text, encoding).

    UTF-8 (with or without BOM) is the norm; UTF-16 is accepted with a BOM, and
    anything else is left to charset-normalizer so that a CP949 digest still reads.
    """
    if not data.strip():
        raise UnreadableFile("empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            raise UnreadableFile(f"not valid UTF-16 at byte {error.start} (cut off?)") from error
    if b"\x00" in data[:8192]:
        raise UnreadableFile("binary file (NUL bytes)")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as error:
        utf8_error = error
    from charset_normalizer import from_bytes  # only for the rare non-UTF-8 file

    best = from_bytes(data).best()
    if best is None or best.encoding in {"utf_8", "ascii"}:
        line = data[: utf8_error.start].count(b"\n") + 1
        raise UnreadableFile(f"not valid UTF-8 at byte {utf8_error.start} (line {line})")
    return str(best), best.encoding


def split_lines(text: str) -> list[str]:
    """Split on CRLF, CR or LF only, so line numbers match what an editor shows."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def arxiv_id_from_url(url: str | None) -> str | None:
    match = ARXIV_URL.search(url or "")
    return match.group("id") if match else None


def parse_bullet(line: str) -> tuple[str, str] | None:
    match = BULLET.match(line)
    if match is None:
        return None
    return match.group("label").strip(), match.group("text").strip()


def title_key(title: str) -> str:
    """Normalise a title for identity: case, LaTeX, punctuation and spacing do not count."""
    text = unicodedata.normalize("NFKC", title).replace("$", " ")
    text = LATEX_COMMAND.sub(" ", text)
    return " ".join(NOT_WORD.sub(" ", text.lower()).split())


def detect_language(text: str) -> str:
    """'ko' when Hangul makes up a fifth of the letters (Latin and Hangul), else 'en'; digests
    hold only these two. Counted with C-level string operations: this runs on every section."""
    latin = len(text.encode("ascii", "ignore").translate(None, NOT_ASCII_LETTERS))
    hangul = len(NOT_HANGUL.sub("", text))
    if latin + hangul == 0:
        return "und"
    return "ko" if hangul * 5 >= latin + hangul else "en"


TITLE_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
LOWER_WORD = re.compile(r"[a-z][a-z0-9]*")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "for",
        "and",
        "or",
        "in",
        "on",
        "to",
        "with",
        "via",
        "from",
        "by",
        "at",
        "as",
        "is",
        "are",
        "its",
        "into",
        "towards",
        "toward",
        "using",
        "based",
        "through",
        "their",
        "our",
        "we",
        "not",
        "all",
        "can",
        "be",
        "do",
        "does",
        "how",
        "what",
        "when",
        "why",
        "new",
    ]
)


def _stems(lowered_words: Iterable[str]) -> set[str]:
    return {word[:6] for word in lowered_words if len(word) >= 3 and word not in STOPWORDS}


def summary_mismatch(title: str, texts: list[str]) -> bool:
    """True when the summary shares no word, stem or acronym with its paper's title.

    Digest generators sometimes summarise the wrong document (a LaTeX template,
    say); such entries are kept but flagged. English names survive in Korean
    summaries, and acronyms of capitalised runs ("Electronic Health Records" ->
    "EHR") catch summaries that only use the abbreviation.
    """
    words = TITLE_WORD.findall(title)
    keys = _stems(word.lower() for word in words)
    run: list[str] = []
    for word in [*words, ""]:
        if word[:1].isupper():
            run.append(word)
            continue
        if len(run) >= 2:
            keys.add("".join(part[0] for part in run).lower())
        run = []
    if len(keys) < 3:
        return False
    body = _stems(set(LOWER_WORD.findall(" ".join(texts).lower())))  # each distinct word once
    return not keys & body
