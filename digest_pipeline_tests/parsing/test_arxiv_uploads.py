from digest_pipeline.parsing import parse_digest
from digest_pipeline_tests.conftest import ARXIV_SAMPLE, source_lines


def test_every_entry_parses_with_its_own_category(context):
    digest, _ = parse_digest(ARXIV_SAMPLE.read_bytes(), context)
    lines = source_lines(ARXIV_SAMPLE)
    assert digest.format == "arxiv_new_uploads"
    assert not digest.problems
    assert len(digest.entries) == sum(line.startswith("### ") for line in lines) == 12
    categories = [entry.category for entry in digest.entries]
    assert categories == ["cs.CL"] * 4 + ["cs.CV"] * 4 + ["cs.LG"] * 4
    for entry in digest.entries:
        assert lines[entry.line - 1] == f"### {entry.title} (https://arxiv.org/abs/{entry.arxiv_id})"


def test_comments_are_the_indented_line_after_comments(context):
    digest, _ = parse_digest(ARXIV_SAMPLE.read_bytes(), context)
    comments = {entry.title.split(":")[0]: entry.comments for entry in digest.entries}
    assert comments["$\\textbf{ConFix}$"] == "Accepted at EMNLP 2024"
    assert comments["Scalable-Softmax Is Superior for Attention"] is None
    assert sum(comment is not None for comment in comments.values()) == 6


def test_labels_of_every_generation_are_kept_as_data(context):
    digest, _ = parse_digest(ARXIV_SAMPLE.read_bytes(), context)
    lite = next(entry for entry in digest.entries if entry.title.startswith("DiT-Lite"))
    assert [s.label for s in lite.sections] == [
        "Prior Approaches",
        "Core Contribution",
        "Technical Challenges",
        "Empirical Impact",
    ]
    assert sum(len(entry.sections) == 1 for entry in digest.entries) == 2


def test_the_file_carries_no_date_so_it_is_dated_by_reference_and_flagged(context):
    digest, _ = parse_digest(ARXIV_SAMPLE.read_bytes(), context)
    assert digest.digest_date == context.reference_date and digest.date_inferred
