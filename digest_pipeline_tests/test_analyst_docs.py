"""Every query in docs/analysts.md runs on the seeds' marts and prints what the page shows.

`python -m digest_pipeline_tests.test_analyst_docs` rewrites the page's outputs.
"""

import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

from digest_pipeline.assets import markdown_table
from digest_pipeline.storage import Warehouse
from digest_pipeline_tests.conftest import REPO, SEEDS, load

DOC = REPO / "docs" / "analysts.md"
# A ```sql block, optionally followed by its ```text output block.
QUERY = re.compile(r"```sql\n(?P<sql>.*?)```\n(?:\n```text\n(?P<output>.*?)```\n)?", re.DOTALL)


def build_seed_marts(database: Path) -> Warehouse:
    warehouse = Warehouse(database)
    load(warehouse, SEEDS, year=2024)
    return warehouse


def render(frame: pl.DataFrame) -> str:
    return markdown_table(frame) + "\n"


def run_queries(database: Path) -> list[tuple[str, str]]:
    """(sql, rendered output) for every query on the page, in order."""
    with duckdb.connect(str(database), read_only=True) as db:
        return [
            (m.group("sql"), render(db.sql(m.group("sql")).pl())) for m in QUERY.finditer(DOC.read_text())
        ]


@pytest.fixture(scope="module")
def seed_database(tmp_path_factory):
    return build_seed_marts(tmp_path_factory.mktemp("analysts") / "digests.duckdb").path


def test_the_page_has_at_least_ten_queries_each_with_its_output():
    matches = list(QUERY.finditer(DOC.read_text()))
    assert len(matches) >= 10
    assert all(m.group("output") for m in matches)


def test_every_query_prints_what_the_page_shows(seed_database):
    documented = [m.group("output") for m in QUERY.finditer(DOC.read_text())]
    assert [output for _, output in run_queries(seed_database)] == documented


def rewrite_outputs() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        outputs = iter(run_queries(build_seed_marts(Path(folder) / "digests.duckdb").path))
        text = QUERY.sub(
            lambda m: (lambda sql, out: f"```sql\n{sql}```\n\n```text\n{out}```\n")(*next(outputs)),
            DOC.read_text(),
        )
    DOC.write_text(text)


if __name__ == "__main__":
    rewrite_outputs()
