import re

from digest_pipeline.parsing import parse_digest
from digest_pipeline_tests.conftest import MARKDOWN_SEED, source_lines


def parse_seed(context):
    digest, encoding = parse_digest(MARKDOWN_SEED.read_bytes(), context)
    return digest, encoding


def test_markdown_seed_has_its_14_papers_with_ids_titles_and_date(context):
    digest, encoding = parse_seed(context)
    lines = source_lines(MARKDOWN_SEED)
    headings = [(n, line) for n, line in enumerate(lines, 1) if line.startswith("### [")]
    assert digest.format == "markdown_daily_papers"
    assert encoding == "utf-8"
    assert str(digest.digest_date) == "2024-09-17" and not digest.date_inferred
    assert len(digest.entries) == len(headings) == 14
    for entry, (number, line) in zip(digest.entries, headings, strict=True):
        title, arxiv_id = re.fullmatch(r"### \[(.*)\]\(https://arxiv.org/abs/(.*)\)", line).groups()
        assert (entry.line, entry.title, entry.arxiv_id) == (number, title, arxiv_id)
    assert not digest.problems


def test_votes_are_read_and_a_dash_means_no_vote(context):
    digest, _ = parse_seed(context)
    lines = source_lines(MARKDOWN_SEED)
    shown = [line.removeprefix("Vote: ") for line in lines if line.startswith("Vote:")]
    assert [entry.votes for entry in digest.entries] == [None if v == "-" else int(v) for v in shown]
    assert shown.count("-") == 3


def test_truncated_author_list_is_flagged_not_named_plus(context):
    digest, _ = parse_seed(context)
    seed_music = digest.entries[0]
    assert seed_music.authors_truncated
    assert "+" not in seed_music.authors
    assert seed_music.authors[:6] == [
        "Andrew Shaw",
        "Qingqing Huang",
        "Dongya Jia",
        "Yiqing Lu",
        "Xingxing Li",
        "Bochen Li",
    ]
    assert len(seed_music.authors) == 22  # 23 entries in the list, one of them the "+"
    assert not any(entry.authors_truncated for entry in digest.entries[1:])


def test_authors_match_the_file(context):
    digest, _ = parse_seed(context)
    lines = [line for line in source_lines(MARKDOWN_SEED) if line.startswith("Authors:")]
    for entry, line in zip(digest.entries, lines, strict=True):
        names = [name.strip() for name in line.removeprefix("Authors:").split(",")]
        assert entry.authors == [name for name in names if name != "+"]


def test_sections_keep_any_label_and_their_text_and_line(context):
    digest, _ = parse_seed(context)
    lines = source_lines(MARKDOWN_SEED)
    sections = [section for entry in digest.entries for section in entry.sections]
    assert len(sections) == sum(line.startswith("- **") for line in lines) == 43
    for section in sections:
        assert lines[section.line - 1] == f"- **{section.label}**: {section.text}"
    policy = next(entry for entry in digest.entries if entry.title.startswith("Policy Filtration"))
    assert [s.label for s in policy.sections] == [
        "What's New",
        "Technical Details",
        "Formatting Instructions",
        "Performance Highlights",
    ]


def test_crlf_bom_and_readme_introduction_parse_like_the_plain_file(context):
    plain, _ = parse_seed(context)
    text = MARKDOWN_SEED.read_text(encoding="utf-8")
    intro = "# Daily papers collection\r\n\r\nThanks to the Hugging Face community!\r\n\r\n"
    variant = ("\ufeff" + intro + text.replace("\n", "\r\n")).encode("utf-8")
    digest, _ = parse_digest(variant, context)
    assert [(e.title, e.authors, e.votes) for e in digest.entries] == [
        (e.title, e.authors, e.votes) for e in plain.entries
    ]
    assert [s.text for e in digest.entries for s in e.sections] == [
        s.text for e in plain.entries for s in e.sections
    ]
    assert digest.entries[0].line == plain.entries[0].line + 4


def test_entry_cut_off_before_its_bullets_is_quarantined_with_its_line(context):
    data = (
        "## Daily Papers (2024-09-17)\n\n"
        "### [Complete Paper](https://arxiv.org/abs/2409.00001)\n\nVote: 1\n\n- **What's New**: 요약입니다.\n\n"
        "### [Cut Paper](https://arxiv.org/abs/2409.00002)\n\nVote: 3\n"
    ).encode()
    digest, _ = parse_digest(data, context)
    assert [entry.title for entry in digest.entries] == ["Complete Paper"]
    (problem,) = digest.problems
    assert problem.line == 9
    assert "no summary bullets" in problem.reason
    assert "Cut Paper" in problem.raw_text


def test_multi_line_bullets_latex_and_brackets_in_titles(context):
    data = (
        "## Daily Papers (2025-01-02)\n"
        "### [$\\textbf{ConFix}$: [Fixing] LGBTQ+ Text](https://arxiv.org/abs/2501.00001v2)\n"
        "Vote: 4\n"
        "- **Core Contribution**: $k$NN-LMs는 🚀 좋습니다  \n"
        "  그리고 이어지는 줄.\n"
    ).encode()
    digest, _ = parse_digest(data, context)
    (entry,) = digest.entries
    assert entry.title == "$\\textbf{ConFix}$: [Fixing] LGBTQ+ Text"
    assert entry.arxiv_id == "2501.00001"
    assert entry.sections[0].label == "Core Contribution"
    assert entry.sections[0].text == "$k$NN-LMs는 🚀 좋습니다 그리고 이어지는 줄."


def test_invalid_heading_date_is_quarantined_and_the_date_inferred(context):
    data = b"## Daily Papers (2024-02-30)\n### [A](https://arxiv.org/abs/2402.00001)\n- **What's New**: x\n"
    digest, _ = parse_digest(data, context)
    assert digest.problems[0].reason == "invalid digest date '2024-02-30'"
    assert digest.date_inferred and digest.digest_date == context.reference_date
    assert len(digest.entries) == 1


def test_another_heading_ends_the_entry_and_is_kept_not_glued_to_a_bullet(context):
    data = (
        "## Daily Papers (2024-09-17)\n### [A](https://arxiv.org/abs/2409.00001)\nComments:\n"
        "- **What's New**: 요약.\n## Sponsors\nBuy our product.\n"
        "### [B](https://arxiv.org/abs/2409.00002)\n    indented first line\n- **What's New**: 둘.\n"
    ).encode()
    digest, _ = parse_digest(data, context)
    assert [(e.title, e.comments, [s.text for s in e.sections]) for e in digest.entries] == [
        ("A", None, ["요약."]),
        ("B", None, ["둘."]),
    ]
    assert [(p.line, p.reason) for p in digest.problems] == [
        (5, "heading that is not a Daily Papers date"),
        (8, "unrecognised line in entry 'B'"),
    ]
