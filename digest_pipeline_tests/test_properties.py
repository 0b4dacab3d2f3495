"""Property tests (issue #7): no text makes a parser or the extractor raise, entity offsets stay
inside their text, and time grows linearly with the input (no catastrophic regex backtracking)."""

from __future__ import annotations

import time
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest_pipeline.extraction import build_extractor, extract
from digest_pipeline.parsing import ParseContext, UnreadableFile, parse_digest

CONTEXT = ParseContext(reference_date=date(2024, 9, 20))
# What makes each format's detector claim a file; arbitrary text follows.
HEADERS = {
    "markdown_daily_papers": "## Daily Papers (2024-09-17)\n",
    "hf_daily_papers_page": "Subscribe\n\nDaily Papers\n\nbyAK and the research community\n\n",
    "arxiv_new_uploads": "New uploads on arXiv(cs.CL)\n",
}
# Lines shaped like digest lines, so that generated text reaches the entry and bullet rules.
DIGEST_LINES = st.sampled_from(
    [
        "### [",
        "### ",
        "](https://arxiv.org/abs/2409.09214v2)",
        " (https://arxiv.org/abs/cs/0112017)",
        "- **",
        "**: ",
        ":**",
        "Vote: ",
        "Authors: ",
        ", +, ",
        "Comments:",
        "\n    ",
        "![](x)",
        "## Daily Papers (2024-02-30)",
        "New uploads on arXiv(",
        "Feb 29",
        "13월",
        "\n",
        "\r\n",
        "\r",
        "$\\textbf{x}$",
        "\u202e\u200b",
        "🚀",
    ]
)
# Runs that make a backtracking regex go quadratic or worse, one pattern repeated.
ADVERSARIAL_RUNS = ["(", "*", "-", "[", " ", "가", "http://", "0123456789", "](", "- **", "**:", "\t"]
# Metrics and values with no sentence end, as in a flattened table.
ADVERSARIAL_TABLES = ["F1 1 ", "F1 1 a b c d GPT-4 ", "정확도 각각 1% "]
# Words of the kinds the entity and result rules look at, in any order: names with particles,
# metrics, values with units, connectors, abbreviations in brackets, dates and versions.
EXTRACTION_WORDS = st.sampled_from(
    [
        "GPT-4o의", "Llama 3.1", "8B", "LEVIR-CD", "FooBench", "XNets", "Foo Bar Network", "(FBN)",
        "F1", "NDCG@20", "Hits@", "정확도가", "PER", "(PER)", "Error Rate", "mIoU", "FIDs",
        "92.18%", "0.901", "+2.1", "-0.4", "1,327", "4.9배", "31.61%에서", "15.79%로", "%p", "x",
        "1.2.3", "2024.09.15", "v1.5", "0,5", "12,000", "respectively", "각각", "of", "on", "and",
        "from", "to", "vs.", "than", "or higher", "이상", "에서", "감소", "we propose", "called",
        "a new dataset", "라는", "same test set", "(", ")", ",", ".", ";", ":", "~", "→", "\n",
    ]
)  # fmt: skip
EXTRACTION_TEXT = st.lists(EXTRACTION_WORDS, max_size=40).map(" ".join)
LONG_RUNS = st.builds(lambda run, times: run * times, st.sampled_from(ADVERSARIAL_RUNS), st.integers(0, 300))
TEXT = st.lists(st.one_of(DIGEST_LINES, st.text(max_size=40)), max_size=60).map("".join)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parse_or_refuse(data: bytes) -> None:
    """Parse `data`; a refusal must be UnreadableFile with a reason, anything else is a bug."""
    try:
        digest, _ = parse_digest(data, CONTEXT)
    except UnreadableFile as refusal:
        assert str(refusal)
        return
    line_count = data.count(b"\n") + data.count(b"\r") + 1
    for entry in digest.entries:
        assert 1 <= entry.line <= line_count
        assert all(entry.line <= section.line <= line_count for section in entry.sections)
    for problem in digest.problems:
        assert 1 <= problem.line <= line_count and problem.reason


@pytest.mark.parametrize("header", list(HEADERS.values()), ids=list(HEADERS))
@SETTINGS
@given(text=TEXT)
def test_no_text_after_a_format_header_makes_the_parser_raise(header, text):
    parse_or_refuse((header + text).encode("utf-8"))


@SETTINGS
@given(data=st.binary(max_size=400))
def test_no_bytes_make_the_parser_raise(data):
    parse_or_refuse(data)


@SETTINGS
@given(
    texts=st.lists(st.one_of(TEXT, st.text(max_size=200), LONG_RUNS, EXTRACTION_TEXT), min_size=1, max_size=8)
)
def test_entity_offsets_always_lie_inside_their_text(texts):
    for text, doc in zip(texts, build_extractor().pipe(texts), strict=True):
        for ent in doc.ents:
            assert 0 <= ent.start_char <= ent.end_char <= len(text)
            assert text[ent.start_char : ent.end_char] == ent.text
    for text, extraction in zip(texts, extract(texts), strict=True):
        for mention in extraction.mentions:
            assert 0 <= mention.start <= mention.end <= len(text)
            assert text[mention.start : mention.end] == mention.text


@SETTINGS
@given(papers=st.lists(st.lists(EXTRACTION_TEXT, min_size=1, max_size=4), min_size=1, max_size=4))
def test_no_digest_like_text_makes_the_extractor_raise(papers):
    """As the pipeline calls it: texts grouped by paper, the first of each its title."""
    texts = [text for paper in papers for text in paper]
    ids = [number for number, paper in enumerate(papers) for _ in paper]
    titles = [k == 0 for paper in papers for k in range(len(paper))]
    extractions = list(extract(texts, ids, titles))
    assert len(extractions) == len(texts)
    for text, extraction in zip(texts, extractions, strict=True):
        assert all(result.sentence in text for result in extraction.results)


GROWTH = 8
# Linear time grows 8x; quadratic 64x. Generous against timer noise on a busy machine.
MAX_TIME_RATIO = 20


def seconds(work, *args) -> float:
    """Best of three timings: the least disturbed by the rest of the machine."""
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        work(*args)
        timings.append(time.perf_counter() - started)
    return max(min(timings), 1e-4)  # below the timer's resolution, call it 0.1 ms


def adversarial_digest(header: str, run: str, chars: int) -> bytes:
    """The run on every kind of line a parser looks at: heading, link, bullet, plain line."""
    body = run * (chars // len(run) // 4)
    return f"{header}### [{body}]({body})\n- **{body}**: {body}\n{body}\n### {body} (http{body})\n".encode()


@pytest.mark.parametrize("header", list(HEADERS.values()), ids=list(HEADERS))
@pytest.mark.parametrize("run", ADVERSARIAL_RUNS)
def test_parse_time_grows_linearly_on_adversarial_runs(header, run):
    def parse(data: bytes) -> None:
        parse_or_refuse(data)

    small = seconds(parse, adversarial_digest(header, run, 20_000))
    large = seconds(parse, adversarial_digest(header, run, 20_000 * GROWTH))
    assert large < MAX_TIME_RATIO * small, f"{run!r}: {small * 1e3:.1f} ms -> {large * 1e3:.1f} ms"


@pytest.mark.parametrize("run", ADVERSARIAL_RUNS + ADVERSARIAL_TABLES)
def test_extraction_time_grows_linearly_on_adversarial_runs(run):
    def run_extractor(text: str) -> None:
        list(extract([text]))

    build_extractor()  # built once, outside the timings
    small = seconds(run_extractor, run * (1_000 // len(run)))
    large = seconds(run_extractor, run * (1_000 * GROWTH // len(run)))
    assert large < MAX_TIME_RATIO * small, f"{run!r}: {small * 1e3:.1f} ms -> {large * 1e3:.1f} ms"
