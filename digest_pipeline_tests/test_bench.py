"""`bench all --quick` runs end to end and reports every figure of issue #6 as a number.

Timings are not asserted: they depend on the machine and its load.
"""

import json
import subprocess
import sys
from numbers import Real

from digest_pipeline_tests.bench import flatten
from digest_pipeline_tests.conftest import REPO

SECTIONS = ("parse", "extraction", "ingest", "one_more_file", "queries", "fixed_cost", "seeds_job")


def test_quick_mode_reports_every_section_with_numbers(tmp_path):
    output = tmp_path / "figures.json"
    subprocess.run(
        [sys.executable, "-m", "digest_pipeline_tests.bench", "all", "--quick", "--json", str(output)],
        cwd=REPO,
        check=True,
        timeout=300,
    )
    figures = json.loads(output.read_text())
    for section in SECTIONS:
        values = [value for _, value in flatten(figures[section])]
        assert values, section
        assert all(isinstance(value, Real) and not isinstance(value, bool) for value in values), section
    assert set(figures["parse"]) == {"markdown_daily_papers", "hf_daily_papers_page", "arxiv_new_uploads"}
    assert all(figures["parse"][name]["papers_per_s"] > 0 for name in figures["parse"])
    assert len(figures["queries"]) >= 10
    assert all(isinstance(check["met"], bool) for check in figures["targets"].values())
