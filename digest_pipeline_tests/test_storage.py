"""The warehouse: per-file replacement, idempotent re-runs, paper identity across formats."""

import shutil

import duckdb
import pytest

from digest_pipeline.schemas import MART_TABLES, validation_failures
from digest_pipeline.storage import StagingLost, Warehouse
from digest_pipeline_tests.conftest import ARXIV_SAMPLE, HF_PAGE_SEED, MARKDOWN_SEED, load


@pytest.fixture
def folder(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path in (MARKDOWN_SEED, HF_PAGE_SEED, ARXIV_SAMPLE):
        shutil.copy(path, inbox / path.name)
    return inbox


def snapshot(warehouse: Warehouse) -> dict:
    """Every mart, in a fixed row order (some marts are stored unsorted)."""
    marts = {name: warehouse.read_mart(name).drop("ingested_at", strict=False) for name in MART_TABLES}
    return {name: frame.sort(frame.columns, nulls_last=True) for name, frame in marts.items()}


def test_marts_hold_every_paper_once_and_match_their_schemas(folder, tmp_path):
    warehouse = Warehouse(tmp_path / "db.duckdb")
    summary = load(warehouse, folder)
    assert (summary.changed_files, summary.unchanged_files, summary.removed_files) == (3, 0, 0)
    counts = warehouse.mart_row_counts()
    assert counts["digests"] == 3
    assert counts["paper_appearances"] == 14 + 89 + 12
    assert counts["papers"] == 14 + 89 + 12
    for name, model in MART_TABLES.items():
        assert validation_failures(model, warehouse.read_mart(name)).is_empty(), name
    assert counts["entity_mentions"] > 300 and counts["results"] > 30
    entities = warehouse.read_mart("entities")
    (gpt4o,) = entities.filter(canonical_name="GPT-4o").iter_rows(named=True)
    assert gpt4o["entity_type"] == "MODEL" and gpt4o["paper_count"] >= 2


def test_rerun_on_the_same_files_gives_identical_marts(folder, tmp_path):
    warehouse = Warehouse(tmp_path / "db.duckdb")
    load(warehouse, folder)
    first = snapshot(warehouse)
    summary = load(warehouse, folder)
    assert (summary.changed_files, summary.unchanged_files) == (0, 3)
    second = snapshot(warehouse)
    for name in MART_TABLES:
        assert first[name].equals(second[name]), name


def test_a_changed_file_replaces_only_its_own_rows(folder, tmp_path):
    warehouse = Warehouse(tmp_path / "db.duckdb")
    load(warehouse, folder)
    before = warehouse.read_mart("digests")
    changed = folder / ARXIV_SAMPLE.name
    text = changed.read_text(encoding="utf-8")
    cut = text.index("New uploads on arXiv(cs.LG)")
    changed.write_text(text[:cut], encoding="utf-8")
    summary = load(warehouse, folder)
    assert summary.changed_files == 1
    after = warehouse.read_mart("digests")
    untouched = before.filter(before["file_path"] != str(changed.resolve()))
    assert untouched.equals(after.filter(after["file_path"] != str(changed.resolve())))
    assert warehouse.mart_row_counts()["paper_appearances"] == 14 + 89 + 8


def test_a_removed_file_takes_its_rows_with_it(folder, tmp_path):
    warehouse = Warehouse(tmp_path / "db.duckdb")
    load(warehouse, folder)
    (folder / HF_PAGE_SEED.name).unlink()
    summary = load(warehouse, folder)
    assert summary.removed_files == 1
    assert warehouse.mart_row_counts()["papers"] == 14 + 12


def test_a_paper_known_by_title_takes_the_arxiv_id_of_its_cut_short_title(folder, tmp_path):
    page = (folder / HF_PAGE_SEED.name).read_text(encoding="utf-8")
    full_title = "LGBTQ+ Identity Detection in Multilingual Social Media Discourse"
    abstract = "We detect identity expressions across languages in social media posts. " * 4
    (folder / HF_PAGE_SEED.name).write_text(page + f"\n\n{full_title}\n\n{abstract}\n", encoding="utf-8")
    warehouse = Warehouse(tmp_path / "db.duckdb")
    load(warehouse, folder)
    papers = warehouse.read_mart("papers")
    assert papers.height == 14 + 89 + 12  # the new entry joined an existing paper
    (paper,) = papers.filter(arxiv_id="2408.11832").iter_rows(named=True)
    assert paper["appearance_count"] == 2
    assert paper["title"] == full_title
    assert paper["abstract"] == abstract.strip()


def test_authors_and_authorship_come_out_in_order(folder, tmp_path):
    warehouse = Warehouse(tmp_path / "db.duckdb")
    load(warehouse, folder)
    authorship = warehouse.read_mart("paper_authors").filter(paper_id="2409.09214")
    authors = warehouse.read_mart("authors")
    names = authorship.join(authors, on="author_id").sort("author_position")["name"].to_list()
    assert names[:3] == ["Andrew Shaw", "Qingqing Huang", "Dongya Jia"]
    assert authorship["list_truncated"].all()
    assert authorship["author_position"].to_list() == list(range(1, 23))


def test_authors_are_named_from_the_list_their_position_comes_from(tmp_path):
    inbox = tmp_path / "names"
    inbox.mkdir()
    entry = "## Daily Papers (2024-09-17)\n### [Shared Paper](https://arxiv.org/abs/2409.00001)\nAuthors: {}\n- **What's New**: 요약.\n"
    (inbox / "a.txt").write_text(entry.format("Alice Ames, Bob Brown, +, Aaron Zed"), encoding="utf-8")
    (inbox / "b.txt").write_text(
        entry.format("Alice Ames, Bob Brown, Carl Carlson, Dan Dorn, Aaron Zed"), encoding="utf-8"
    )
    warehouse = Warehouse(tmp_path / "db.duckdb")
    load(warehouse, inbox)
    named = warehouse.read_mart("paper_authors").join(warehouse.read_mart("authors"), on="author_id")
    assert named.sort("author_position")["name_right"].to_list() == [
        "Alice Ames",
        "Bob Brown",
        "Carl Carlson",
        "Dan Dorn",
        "Aaron Zed",
    ]


def test_ingesting_a_parent_folder_keeps_the_rows_of_its_subfolders_files(tmp_path):
    top = tmp_path / "top"
    (top / "sub").mkdir(parents=True)
    shutil.copy(MARKDOWN_SEED, top / "sub" / MARKDOWN_SEED.name)
    shutil.copy(ARXIV_SAMPLE, top / ARXIV_SAMPLE.name)
    warehouse = Warehouse(tmp_path / "db.duckdb")
    load(warehouse, top / "sub")
    summary = load(warehouse, top)
    assert summary.removed_files == 0
    assert warehouse.mart_row_counts()["digests"] == 2


def test_a_new_year_setting_remakes_every_files_rows(folder, tmp_path):
    warehouse = Warehouse(tmp_path / "db.duckdb")
    load(warehouse, folder, year=2024)
    summary = load(warehouse, folder, year=2023)
    assert summary.changed_files == 3
    dates = warehouse.read_mart("digests").filter(format="hf_daily_papers_page")["digest_date"].to_list()
    assert [str(d) for d in dates] == ["2023-08-06"]


def test_staging_from_an_older_pipeline_is_rebuilt(folder, tmp_path):
    warehouse = Warehouse(tmp_path / "db.duckdb")
    load(warehouse, folder)
    with duckdb.connect(str(warehouse.work_path)) as db:
        db.execute("ALTER TABLE staging.digests DROP COLUMN parsed_with")
    # A step that reads first (a re-executed extraction step) is told, and the loss recorded.
    with pytest.raises(StagingLost, match="made by an older pipeline"):
        warehouse.read_staging("paper_sections", reader="a run")
    assert "older pipeline" in warehouse.restage_path.read_text(encoding="utf-8")
    summary = load(warehouse, folder)
    assert summary.changed_files == 3
    assert warehouse.mart_row_counts()["papers"] == 14 + 89 + 12
