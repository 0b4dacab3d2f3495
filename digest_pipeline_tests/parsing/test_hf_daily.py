from datetime import date

from digest_pipeline.parsing import ParseContext, parse_digest
from digest_pipeline_tests.conftest import HF_PAGE_SEED, source_lines


def test_hf_page_seed_has_89_papers_whose_titles_and_abstracts_are_the_file_lines(context):
    digest, _ = parse_digest(HF_PAGE_SEED.read_bytes(), context)
    lines = source_lines(HF_PAGE_SEED)
    assert digest.format == "hf_daily_papers_page"
    assert len(digest.entries) == 89
    assert not digest.problems
    for entry in digest.entries:
        assert lines[entry.line - 1] == entry.title
        assert lines[entry.line + 1] == entry.abstract
        assert entry.arxiv_id is None and entry.authors == []
        assert [(s.label, s.text) for s in entry.sections] == [("Abstract", entry.abstract)]
    assert digest.entries[0].title.startswith("CFNet: Optimizing Remote Sensing")
    assert digest.entries[-1].title.startswith("GUIDE: A Guideline-Guided Dataset")


def test_year_is_inferred_from_the_reference_date_and_flagged():
    data = HF_PAGE_SEED.read_bytes()
    after, _ = parse_digest(data, ParseContext(reference_date=date(2024, 9, 20)))
    before, _ = parse_digest(data, ParseContext(reference_date=date(2025, 3, 1)))
    configured, _ = parse_digest(data, ParseContext(reference_date=date(2025, 3, 1), year=2023))
    assert after.digest_date == date(2024, 8, 6) and after.date_inferred
    assert before.digest_date == date(2024, 8, 6)
    assert configured.digest_date == date(2023, 8, 6)


def test_feb_29_in_a_common_year_is_quarantined():
    page = "Daily Papers\n\nbyAK and the research community\n\nFeb 29\n\nA Title\n\n" + "An abstract. " * 20
    digest, _ = parse_digest(page.encode(), ParseContext(reference_date=date(2025, 3, 10)))
    assert digest.problems[0].reason == "invalid date 'Feb 29'"
    assert len(digest.entries) == 1


def test_title_without_abstract_is_quarantined_and_the_next_pair_still_parses(context):
    abstract = "This paper studies something in detail. " * 6
    page = (
        f"Subscribe\n\nDaily Papers\n\nAug 6\n\nOrphan Title\n\nReal Title\n\n{abstract}\n\nCut Off Title\n"
    )
    digest, _ = parse_digest(page.encode(), context)
    assert [entry.title for entry in digest.entries] == ["Real Title"]
    assert [(p.line, p.reason) for p in digest.problems] == [
        (7, "title without an abstract"),
        (13, "title without an abstract (cut off?)"),
    ]
