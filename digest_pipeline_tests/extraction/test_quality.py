"""Extraction quality on the dev and tuning gold sets cannot silently regress.

The floors sit a little under what `digest-pipeline evaluate --gold
digest_pipeline_tests/gold/dev.jsonl` (and `tuning.jsonl`) measures; raise them when quality
improves. The held-out set has none: a floor would make it a tuning target.
"""

import json

import pytest

from digest_pipeline.cli import main
from digest_pipeline.extraction.evaluate import evaluate_file
from digest_pipeline_tests.conftest import REPO

GOLD = REPO / "digest_pipeline_tests" / "gold"
DEV_GOLD = GOLD / "dev.jsonl"
# Per gold set: mention F1 per label, and results F1.
FLOORS = {
    "dev.jsonl": ({"MODEL": 0.88, "DATASET": 0.86, "METRIC": 0.84}, 0.82),
    "tuning.jsonl": ({"MODEL": 0.88, "DATASET": 0.88, "METRIC": 0.88}, 0.75),
}


@pytest.fixture(scope="module")
def reports():
    return {name: evaluate_file(GOLD / name)[0] for name in FLOORS}


@pytest.fixture(scope="module")
def report(reports):
    return reports[DEV_GOLD.name]


@pytest.mark.parametrize(("gold", "label"), [(gold, label) for gold in FLOORS for label in FLOORS[gold][0]])
def test_mention_f1_stays_above_its_floor(reports, gold, label):
    assert reports[gold]["mention"][label]["f1"] >= FLOORS[gold][0][label]


@pytest.mark.parametrize("gold", FLOORS)
def test_results_f1_stays_above_its_floor(reports, gold):
    assert reports[gold]["results"]["f1"] >= FLOORS[gold][1]


def test_evaluate_command_prints_the_same_figures_as_json(report, capsys):
    assert main(["evaluate", "--gold", str(DEV_GOLD), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == report


@pytest.mark.parametrize("gold", ["heldout.jsonl", "heldout2.jsonl", "tuning.jsonl"])
def test_the_gold_written_from_memory_is_well_formed(gold):
    """Spans inside their text, without surrounding blanks, of the three labels."""
    path = GOLD / gold
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        for entity in entry["entities"]:
            surface = entry["text"][entity["start"] : entity["end"]]
            assert surface and surface == surface.strip(), (entry["id"], entity)
            assert entity["label"] in {"MODEL", "DATASET", "METRIC"}
    assert evaluate_file(path)[0]["mention"]["MODEL"]["tp"] > 0
