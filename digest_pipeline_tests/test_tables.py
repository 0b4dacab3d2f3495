"""One bad file never stops the others; everything that fails is kept in quarantine; rows made by
other code are made again."""

import shutil

from digest_pipeline import tables
from digest_pipeline.sources import find_digest_files
from digest_pipeline.storage import Warehouse
from digest_pipeline.tables import parse_files, stale_files
from digest_pipeline_tests.conftest import MARKDOWN_SEED, SEEDS, load


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


def test_files_staged_by_other_parsing_or_extraction_code_are_stale(tmp_path, monkeypatch):
    warehouse = Warehouse(tmp_path / "digests.duckdb")
    load(warehouse, SEEDS)
    files = find_digest_files([SEEDS])
    assert stale_files(files, warehouse.staged_versions(), None) == set()
    monkeypatch.setattr(tables, "code_fingerprint", lambda: "another")  # an upgraded pipeline
    assert stale_files(files, warehouse.staged_versions(), None) == {str(file.path) for file in files}


def test_the_code_fingerprint_covers_the_parsers_the_extractor_and_its_gazetteers(tmp_path):
    package = tmp_path / "digest_pipeline"
    shutil.copytree(tables.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = tables.code_fingerprint(package)
    (package / "README.txt").write_text("not code")
    with (package / "extraction" / "evaluate.py").open("a", encoding="utf-8") as file:
        file.write("\n")  # scores the extractor, makes no rows
    assert tables.code_fingerprint.__wrapped__(package) == before
    for changed in (
        "extraction/data/datasets.jsonl",
        "parsing/__init__.py",
        "extraction/results.py",
        "sources.py",
    ):
        with (package / changed).open("a", encoding="utf-8") as file:
            file.write("\n")
        after = tables.code_fingerprint.__wrapped__(package)
        assert after != before, changed
        before = after
