"""Hostile inputs (issue #7): every kind is parsed with the right values or quarantined with a
reason a person understands, and a run mixing them all with the good files loses nothing.

The corpus is generated here, never committed: each kind writes its file(s) into a folder and
says what must come of them. `HOSTILE_KINDS` lists them all, to be counted.
"""

from __future__ import annotations

import gzip
import os
import shutil
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from digest_pipeline.assets.outcomes import OUTCOME_ASSET
from digest_pipeline.sources import describe, find_digest_files
from digest_pipeline.storage import Warehouse
from digest_pipeline.tables import MAX_FILE_BYTES, parse_files, stale_files
from digest_pipeline_tests.conftest import ARXIV_SAMPLE, HF_PAGE_SEED, MARKDOWN_SEED, load, materialise

GOOD_FILES = (MARKDOWN_SEED, HF_PAGE_SEED, ARXIV_SAMPLE)
# Files are dated by their modification time; format B's year-less dates are read against it.
REFERENCE_TIME = datetime(2024, 9, 20, 12).timestamp()
SUMMARY = "- **What's New**: A new method for a hard task."
HF_CHROME = "Subscribe\n\nDaily Papers\n\nbyAK and the research community\n\n"
ABSTRACT = "We study a problem and propose a method that works well on every benchmark we tried. " * 3


def markdown_digest(*entries: str, heading: str = "## Daily Papers (2024-09-17)") -> str:
    return "\n\n".join([heading, *entries]) + "\n"


def entry(title: str, url: str = "https://arxiv.org/abs/2409.00001", body: str = SUMMARY) -> str:
    return f"### [{title}]({url})\n\n{body}"


@dataclass
class Corpus:
    """Where a kind writes its files, and how it meddles with reading them."""

    folder: Path
    monkeypatch: pytest.MonkeyPatch
    many_entries: int = 100_000  # a run through the extractor uses fewer, to stay quick

    def write(self, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = self.folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        os.utime(path, (REFERENCE_TIME, REFERENCE_TIME))
        return path

    def on_open(
        self, name: str, action: Callable[[Path], None], after: bool = False, once: bool = True
    ) -> None:
        """Run `action(path)` when the file called `name` is opened (the first time only, if
        `once`): before the open, or just after it."""
        real_open, pending = Path.open, [True]

        def meddling_open(path: Path, *args, **kwargs):
            meddle = path.name == name and bool(pending)
            if meddle and once:
                pending.clear()
            if meddle and not after:
                action(path)
            handle = real_open(path, *args, **kwargs)
            if meddle and after:
                action(path)
            return handle

        self.monkeypatch.setattr(Path, "open", meddling_open)


@dataclass
class Expect:
    """What must come of one hostile file: `papers` parsed (checked by `check`), and quarantine
    rows whose reasons start with `reasons` (at `lines`, where the problem has a line)."""

    path: Path
    papers: int = 0
    reasons: list[str] = field(default_factory=list)
    lines: list[int | None] | None = None
    check: Callable[[pl.DataFrame, dict[str, pl.DataFrame]], None] | None = None


HOSTILE_KINDS: dict[str, Callable[[Corpus], list[Expect]]] = {}


def hostile(name: str):
    def register(make: Callable[[Corpus], list[Expect]]):
        HOSTILE_KINDS[name] = make
        return make

    return register


@hostile("empty file")
def _(corpus):
    return [Expect(corpus.write("empty.txt", b""), reasons=["empty file"])]


@hostile("only whitespace")
def _(corpus):
    return [Expect(corpus.write("blank.txt", " \n\t\r\n  \n"), reasons=["empty file"])]


@hostile("binary: PNG")
def _(corpus):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01" + bytes(range(256))
    return [Expect(corpus.write("image.png", png), reasons=["binary file (NUL bytes)"])]


@hostile("binary: gzip")
def _(corpus):
    packed = gzip.compress(MARKDOWN_SEED.read_bytes(), mtime=0)
    return [Expect(corpus.write("digest.txt.gz", packed), reasons=["binary file (NUL bytes)"])]


@hostile("binary: NUL bytes in text")
def _(corpus):
    text = markdown_digest(entry("A Paper")).encode().replace(b"A Paper", b"A\x00Paper")
    return [Expect(corpus.write("nul.txt", text), reasons=["binary file (NUL bytes)"])]


@hostile("UTF-16 with BOM")
def _(corpus):
    def check(appearances, _):
        assert appearances["title"][0].startswith("Seed-Music: A Unified Framework")

    data = MARKDOWN_SEED.read_text(encoding="utf-8").encode("utf-16")
    return [Expect(corpus.write("utf16.txt", data), papers=14, check=check)]


@hostile("UTF-16 cut off mid-character")
def _(corpus):
    data = markdown_digest(entry("A Paper")).encode("utf-16")[:-1]
    return [Expect(corpus.write("utf16_cut.txt", data), reasons=["not valid UTF-16 at byte"])]


@hostile("Korean digest in CP949/EUC-KR")
def _(corpus):
    korean = (
        "- **What's New**: 이 논문은 새로운 언어 모델을 제안합니다. 실험 결과 성능이 크게 향상되었습니다."
    )

    def check(appearances, tables):
        assert appearances["title"].to_list() == ["한국어 논문 제목"] * 3
        assert tables["digests"]["encoding"].to_list() == ["cp949"]
        assert tables["paper_sections"]["text"][0] == korean.removeprefix("- **What's New**: ")
        assert tables["paper_sections"]["language"].to_list() == ["ko"] * 3

    text = markdown_digest(*[entry("한국어 논문 제목", body=korean)] * 3)
    return [Expect(corpus.write("korean_cp949.txt", text, encoding="cp949"), papers=3, check=check)]


@hostile("invalid UTF-8 in the middle")
def _(corpus):
    seed = MARKDOWN_SEED.read_bytes()
    middle = seed.index(b"\n", len(seed) // 2) + 1
    data = seed[:middle] + b"\xff\xfe\xfa" + seed[middle:]
    line = seed[:middle].count(b"\n") + 1
    reason = f"not valid UTF-8 at byte {middle} (line {line})"
    return [Expect(corpus.write("broken_utf8.txt", data), reasons=[reason])]


@hostile("CRLF line ends")
def _(corpus):
    def check(appearances, _):
        assert appearances["line_number"].to_list() == seed_lines()
        assert not any("\r" in title for title in appearances["title"])

    data = MARKDOWN_SEED.read_bytes().replace(b"\n", b"\r\n")
    return [Expect(corpus.write("crlf.txt", data), papers=14, check=check)]


@hostile("lone CR line ends")
def _(corpus):
    def check(appearances, _):
        assert appearances["line_number"].to_list() == seed_lines()

    data = MARKDOWN_SEED.read_bytes().replace(b"\n", b"\r")
    return [Expect(corpus.write("cr.txt", data), papers=14, check=check)]


def seed_lines() -> list[int]:
    """Line numbers of the markdown seed's entries, as an editor shows them."""
    lines = MARKDOWN_SEED.read_text(encoding="utf-8").split("\n")
    return [number for number, line in enumerate(lines, 1) if line.startswith("### ")]


@hostile("200 MB file")
def _(corpus):
    path = corpus.write("huge.txt", markdown_digest(*[entry(f"Paper {i}") for i in range(1000)]))
    with path.open("r+b") as handle:  # sparse: 200 MB to read, next to nothing on disk
        handle.truncate(200 * 2**20)
    os.utime(path, (REFERENCE_TIME, REFERENCE_TIME))
    reason = "file too large to be a digest (200 MB, limit 64 MB); not read"
    return [Expect(path, reasons=[reason], lines=[None])]


@hostile("a single 5 MB line")
def _(corpus):
    long_summary = "- **What's New**: " + "a very long summary " * 262_144

    def check(appearances, tables):
        assert len(tables["paper_sections"]["text"][0]) == len(long_summary) - len("- **What's New**: ") - 1

    text = markdown_digest(entry("Long Line Paper", body=long_summary))
    return [Expect(corpus.write("long_line.txt", text), papers=1, check=check)]


@hostile("100,000 entries in one file")
def _(corpus):
    def check(appearances, _):
        assert appearances["arxiv_id"][-1] == f"2409.{corpus.many_entries - 1:05d}"
        assert appearances["arxiv_id"].n_unique() == corpus.many_entries

    entries = [entry(f"Paper {i}", f"https://arxiv.org/abs/2409.{i:05d}") for i in range(corpus.many_entries)]
    return [
        Expect(corpus.write("many.txt", markdown_digest(*entries)), papers=corpus.many_entries, check=check)
    ]


@hostile("entry cut off mid-bullet")
def _(corpus):
    def check(appearances, _):
        assert appearances["title"].to_list() == ["Whole Paper"]

    text = markdown_digest(entry("Whole Paper"), entry("Cut Paper", body="- **What's Ne"))
    reasons = ["unrecognised line in entry 'Cut Paper'", "entry has no summary bullets (cut off or empty)"]
    return [Expect(corpus.write("cut.txt", text), papers=1, reasons=reasons, lines=[9, 7], check=check)]


@hostile("title with no URL")
def _(corpus):
    def check(appearances, _):
        assert appearances.select("title", "url", "arxiv_id").row(0) == ("A Title Alone", None, None)

    text = markdown_digest(f"### A Title Alone\n\n{SUMMARY}")
    return [Expect(corpus.write("no_url.txt", text), papers=1, check=check)]


def arxiv_id_kind(name: str, url: str, arxiv_id: str | None):
    @hostile(name)
    def _(corpus):
        def check(appearances, _):
            assert appearances.select("url", "arxiv_id").row(0) == (url, arxiv_id)

        file_name = name.replace(" ", "_").replace("/", "_") + ".txt"
        return [
            Expect(corpus.write(file_name, markdown_digest(entry("Id Paper", url))), papers=1, check=check)
        ]


arxiv_id_kind("arXiv URL with a version suffix", "https://arxiv.org/abs/2409.09214v2", "2409.09214")
arxiv_id_kind("old-style arXiv id", "https://arxiv.org/abs/cs/0112017", "cs/0112017")
arxiv_id_kind("non-arXiv link", "https://github.com/example/project", None)


@hostile("duplicate entries in one file")
def _(corpus):
    def check(appearances, _):
        assert appearances["position"].to_list() == [1, 2]
        assert appearances["arxiv_id"].to_list() == ["2409.77777"] * 2

    twice = [entry("Twice Listed", "https://arxiv.org/abs/2409.77777")] * 2
    return [Expect(corpus.write("duplicates.txt", markdown_digest(*twice)), papers=2, check=check)]


@hostile("same paper with different titles in two files")
def _(corpus):
    url = "https://arxiv.org/abs/2409.88888"
    titles = ["Scaling Laws for Everything", "Scaling Laws for Everything (v2 title)"]

    def expect(name: str, title: str) -> Expect:
        def check(appearances, _):
            assert appearances.select("title", "arxiv_id").row(0) == (title, "2409.88888")

        return Expect(corpus.write(name, markdown_digest(entry(title, url))), papers=1, check=check)

    return [expect("renamed_title_a.txt", titles[0]), expect("renamed_title_b.txt", titles[1])]


def verbatim_title_kind(name: str, file_name: str, title: str):
    """A title is data: whatever it holds is kept exactly, never interpreted."""

    @hostile(name)
    def _(corpus):
        def check(appearances, _):
            assert appearances["title"].to_list() == [title]

        return [Expect(corpus.write(file_name, markdown_digest(entry(title))), papers=1, check=check)]


verbatim_title_kind(
    "markdown injection in a title", "md_inject.txt", "**Bold** _it_ [link](javascript:x) `code`"
)
verbatim_title_kind(
    "HTML injection in a title", "html_inject.txt", "<script>alert('x')</script><b>Bold</b> &amp;"
)
verbatim_title_kind("SQL-looking title", "sql_inject.txt", "Robert'); DROP TABLE marts.papers;--")
verbatim_title_kind("LaTeX in a title", "latex.txt", r"$\textbf{ConFix}$: $k$NN with $\mathcal{O}(n^2)$ Cost")
verbatim_title_kind(
    "right-to-left and zero-width characters",
    "rtl.txt",
    "\u202eReversed\u202c \u05e2\u05d1\u05e8\u05d9\u05ea Zero\u200bWidth\ufeff",
)
verbatim_title_kind("emoji in a title", "emoji.txt", "🚀 Rocket Models 👩‍🔬 for Science 🇰🇷")


@hostile("file renamed while being read")
def _(corpus):
    # An open file reads whole though renamed meanwhile; the new name is listed next run.
    path = corpus.write("before_rename.txt", MARKDOWN_SEED.read_bytes())
    corpus.on_open(path.name, lambda opened: opened.rename(opened.with_name("after_rename.txt")), after=True)
    return [Expect(path, papers=14)]


@hostile("file deleted between listing and reading")
def _(corpus):
    path = corpus.write("deleted.txt", MARKDOWN_SEED.read_bytes())
    corpus.on_open(path.name, Path.unlink)
    return [Expect(path, reasons=["cannot read file: No such file or directory"], lines=[None])]


@hostile("file without read permission")
def _(corpus):
    def deny(_path: Path) -> None:
        raise PermissionError(13, "Permission denied")  # we run as root: chmod would not stop us

    path = corpus.write("secret.txt", MARKDOWN_SEED.read_bytes())
    corpus.on_open(path.name, deny, once=False)
    return [Expect(path, reasons=["cannot read file: Permission denied"], lines=[None])]


@hostile("symlink loop")
def _(corpus):
    (corpus.folder / "loop.txt").symlink_to(corpus.folder / "loop.txt")
    return []  # never listed: it names no file to read


@hostile("path with spaces and non-ASCII characters")
def _(corpus):
    def check(appearances, _):
        assert appearances["file_path"][0].endswith("/논문 요약 — été 2024.txt")

    return [
        Expect(corpus.write("논문 요약 — été 2024.txt", MARKDOWN_SEED.read_bytes()), papers=14, check=check)
    ]


@hostile("10,000-author list")
def _(corpus):
    authors = [f"Author Number{i}" for i in range(10_000)]

    def check(appearances, tables):
        assert appearances["author_count"].to_list() == [10_000]
        assert tables["paper_authors"]["name"].to_list() == authors

    text = markdown_digest(entry("Big Science", body=f"Authors: {', '.join(authors)}\n\n{SUMMARY}"))
    return [Expect(corpus.write("authors.txt", text), papers=1, check=check)]


@hostile("Feb 29 in a leap year")
def _(corpus):
    def check(_, tables):
        assert tables["digests"]["digest_date"].to_list() == [date(2024, 2, 29)]

    page = f"{HF_CHROME}Feb 29\n\nA Leap Day Paper\n\n{ABSTRACT}\n"
    return [Expect(corpus.write("feb29.txt", page), papers=1, check=check)]


@hostile("Feb 30")
def _(corpus):
    page = f"{HF_CHROME}Feb 30\n\nA Paper\n\n{ABSTRACT}\n"
    return [Expect(corpus.write("feb30.txt", page), papers=1, reasons=["invalid date 'Feb 30'"], lines=[7])]


@hostile("month 13 as 13월")
def _(corpus):
    # A Korean page date is not a date the page format knows: it reads as a title with no abstract.
    page = f"{HF_CHROME}13월 5일\n\nA Paper\n\n{ABSTRACT}\n"
    return [
        Expect(
            corpus.write("month13_ko.txt", page), papers=1, reasons=["title without an abstract"], lines=[7]
        )
    ]


@hostile("month 13 in an ISO date heading")
def _(corpus):
    text = markdown_digest(entry("A Paper"), heading="## Daily Papers (2024-13-01)")
    return [
        Expect(
            corpus.write("month13_iso.txt", text),
            papers=1,
            reasons=["invalid digest date '2024-13-01'"],
            lines=[1],
        )
    ]


@hostile("plain text that is no digest")
def _(corpus):
    reason = "unknown digest format (first line: 'Dear diary,')"
    return [Expect(corpus.write("diary.txt", "Dear diary,\ntoday I read papers.\n"), reasons=[reason])]


def make_corpus(corpus: Corpus, kinds=HOSTILE_KINDS) -> list[Expect]:
    return [expect for make in kinds.values() for expect in make(corpus)]


def assert_outcome(expect: Expect, tables: dict[str, pl.DataFrame]) -> None:
    path = str(expect.path.resolve())
    appearances = tables["paper_appearances"].filter(pl.col("file_path") == path)
    quarantined = (
        tables["quarantine"].filter(pl.col("file_path") == path).sort("line_number", nulls_last=True)
    )
    assert appearances.height == expect.papers
    reasons = quarantined["reason"].to_list()
    assert len(reasons) == len(expect.reasons), reasons
    for reason, start in zip(sorted(reasons), sorted(expect.reasons), strict=True):
        assert reason.startswith(start), (reason, start)
    if expect.lines is not None:
        assert sorted(quarantined["line_number"].to_list(), key=str) == sorted(expect.lines, key=str)
    if expect.check is not None:
        only_this = {name: table.filter(pl.col("file_path") == path) for name, table in tables.items()}
        expect.check(appearances, only_this)


def test_there_are_at_least_thirty_hostile_kinds():
    assert len(HOSTILE_KINDS) >= 30, sorted(HOSTILE_KINDS)


@pytest.mark.parametrize("kind", list(HOSTILE_KINDS))
def test_each_hostile_kind_is_parsed_or_quarantined_with_a_clear_reason(kind, tmp_path, monkeypatch):
    corpus = Corpus(tmp_path, monkeypatch)
    expects = make_corpus(corpus, {kind: HOSTILE_KINDS[kind]})
    tables = parse_files(find_digest_files([tmp_path]))
    listed = set(tables["digests"]["file_path"])
    assert listed == {str(expect.path.resolve()) for expect in expects}  # every file is accounted for
    for expect in expects:
        assert_outcome(expect, tables)


def test_a_200_mb_file_is_refused_with_bounded_memory(tmp_path, monkeypatch):
    [expect] = HOSTILE_KINDS["200 MB file"](Corpus(tmp_path, monkeypatch))
    files = find_digest_files([tmp_path])
    tracemalloc.start()
    try:
        stale_files(files, {}, None)  # hashes the file in chunks
        tables = parse_files(files)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MAX_FILE_BYTES // 8, f"peak {peak / 2**20:.0f} MB"
    assert_outcome(expect, tables)


def test_only_files_directly_inside_the_folder_are_read_even_when_swapped_for_links(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("not for the pipeline")
    folder = tmp_path / "inbox"
    folder.mkdir()
    listed = folder / "digest.txt"
    listed.write_bytes(MARKDOWN_SEED.read_bytes())
    [file] = find_digest_files([folder])
    listed.unlink()
    listed.symlink_to(outside)  # after listing, before reading
    assert describe(str(file.path), [str(folder)])[3] == "not a regular file (a link or a folder); not read"
    not_inside = "not a digest file directly inside the input folders; not read"
    for sneaky in (outside, folder / ".." / "outside.txt", folder / ".hidden.txt"):
        assert describe(str(sneaky), [str(folder)])[3] == not_inside


@pytest.fixture
def mixed(tmp_path, monkeypatch):
    """A folder holding every hostile kind and the good files, and the good files' paper counts
    when loaded alone. The 100,000-entry file has 2,000 here: the extractor would take a minute."""
    alone = tmp_path / "alone"
    alone.mkdir()
    for good in GOOD_FILES:
        shutil.copy(good, alone / good.name)
    warehouse = Warehouse(tmp_path / "alone.duckdb")
    load(warehouse, alone)
    folder = tmp_path / "inbox"
    folder.mkdir()
    for good in GOOD_FILES:
        shutil.copy(good, folder / good.name)
    make_corpus(Corpus(folder, monkeypatch, many_entries=2_000))
    return folder, good_file_counts(warehouse, alone)


def good_file_counts(warehouse: Warehouse, folder: Path) -> dict[str, tuple[int, int]]:
    """Per good file: (papers parsed from it, distinct papers it names in the marts)."""
    digests = warehouse.read_mart("digests")
    appearances = warehouse.read_mart("paper_appearances")
    counts = {}
    for good in GOOD_FILES:
        path = str((folder / good.name).resolve())
        [paper_count] = digests.filter(pl.col("file_path") == path)["paper_count"]
        papers = appearances.filter(pl.col("file_path") == path)["paper_id"].n_unique()
        counts[good.name] = (paper_count, papers)
    return counts


def assert_nothing_lost(
    warehouse: Warehouse, folder: Path, listed: set[str], expected: dict[str, tuple[int, int]]
) -> None:
    assert good_file_counts(warehouse, folder) == expected
    quarantine = warehouse.read_mart("quarantine")
    assert quarantine.filter(pl.col("file_path").str.ends_with("/huge.txt"))["reason"].to_list() == [
        "file too large to be a digest (200 MB, limit 64 MB); not read"
    ]
    assert quarantine.filter(pl.col("reason") == "").height == 0
    appearances = warehouse.read_mart("paper_appearances")
    for listed_twice in ("2409.88888", "2409.77777"):  # in two files, and twice in one: one paper each
        assert appearances.filter(pl.col("arxiv_id") == listed_twice)["paper_id"].n_unique() == 1
    # Every file listed and still there has its row: parsed, or quarantined for a person to see.
    # (A file deleted or renamed during the run may leave the marts: it is no longer input.)
    still_there = {path for path in listed if Path(path).exists()}
    assert still_there <= set(warehouse.read_mart("digests")["file_path"])


def test_a_run_mixing_every_hostile_kind_with_the_good_files_lands_every_good_file(mixed, tmp_path):
    folder, expected = mixed
    listed = {str(file.path) for file in find_digest_files([folder])}
    warehouse = Warehouse(tmp_path / "mixed.duckdb")
    load(warehouse, folder)
    assert_nothing_lost(warehouse, folder, listed, expected)


def test_the_dagster_job_over_every_hostile_kind_lands_every_good_file(mixed, tmp_path):
    folder, expected = mixed
    listed = {str(file.path) for file in find_digest_files([folder])}
    database = tmp_path / "dagster.duckdb"
    result = materialise([str(folder)], database)
    # Only the outcome step fails, for the files that cannot be parsed; everything else ran.
    assert {event.step_key for event in result.all_events if event.is_step_failure} == {OUTCOME_ASSET}
    assert_nothing_lost(Warehouse(database), folder, listed, expected)
