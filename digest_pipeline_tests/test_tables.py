"""One bad file never stops the others; everything that fails is kept in quarantine."""

from digest_pipeline.sources import find_digest_files
from digest_pipeline.tables import parse_files
from digest_pipeline_tests.conftest import MARKDOWN_SEED


def test_bad_files_are_quarantined_and_good_ones_land(tmp_path):
    (tmp_path / "a_good.txt").write_bytes(MARKDOWN_SEED.read_bytes())
    (tmp_path / "b_binary.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "c_empty.txt").write_bytes(b"")
    (tmp_path / "d_notes.txt").write_text("shopping list\nmilk\n")
    (tmp_path / ".hidden.txt").write_text("ignored")
    (tmp_path / "e_partial.txt.part").write_text("ignored")
    tables = parse_files(find_digest_files([tmp_path]))
    digests = tables["digests"].sort("file_path")
    assert [path.rsplit("/", 1)[1] for path in digests["file_path"]] == [
        "a_good.txt",
        "b_binary.png",
        "c_empty.txt",
        "d_notes.txt",
    ]
    assert digests["paper_count"].to_list() == [14, 0, 0, 0]
    reasons = dict(
        zip(
            [path.rsplit("/", 1)[1] for path in tables["quarantine"]["file_path"]],
            tables["quarantine"]["reason"],
            strict=True,
        )
    )
    assert reasons == {
        "b_binary.png": "binary file (NUL bytes)",
        "c_empty.txt": "empty file",
        "d_notes.txt": "unknown digest format (first line: 'shopping list')",
    }
    assert tables["paper_appearances"].height == 14


def test_summary_that_describes_another_document_is_flagged_not_dropped():
    tables = parse_files(find_digest_files([MARKDOWN_SEED]))
    flagged = tables["paper_appearances"].filter("summary_mismatch")["title"].to_list()
    assert flagged == ["Policy Filtration in RLHF to Fine-Tune LLM for Code Generation"]
    assert tables["paper_appearances"].height == 14


def test_sections_know_their_language():
    tables = parse_files(find_digest_files([MARKDOWN_SEED]))
    assert set(tables["paper_sections"]["language"]) == {"ko"}


def test_symlink_loops_and_links_out_of_the_folder_are_not_read(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_bytes(MARKDOWN_SEED.read_bytes())
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "loop.txt").symlink_to(inbox / "loop.txt")
    (inbox / "out.txt").symlink_to(outside)
    (inbox / "real.txt").write_bytes(MARKDOWN_SEED.read_bytes())
    assert [file.path.name for file in find_digest_files([inbox])] == ["real.txt"]
