"""Extraction quality on the dev gold set cannot silently regress.

The floors sit a little under what `digest-pipeline evaluate --gold
digest_pipeline_tests/gold/dev.jsonl` measures; raise them when quality improves.
"""

import json

import pytest

from digest_pipeline.cli import main
from digest_pipeline.extraction.evaluate import evaluate_file
from digest_pipeline_tests.conftest import REPO

DEV_GOLD = REPO / "digest_pipeline_tests" / "gold" / "dev.jsonl"
MENTION_F1_FLOORS = {"MODEL": 0.88, "DATASET": 0.86, "METRIC": 0.84}
RESULTS_F1_FLOOR = 0.82


@pytest.fixture(scope="module")
def report():
    return evaluate_file(DEV_GOLD)[0]


@pytest.mark.parametrize("label", MENTION_F1_FLOORS)
def test_mention_f1_stays_above_its_floor(report, label):
    assert report["mention"][label]["f1"] >= MENTION_F1_FLOORS[label]


def test_results_f1_stays_above_its_floor(report):
    assert report["results"]["f1"] >= RESULTS_F1_FLOOR


def test_evaluate_command_prints_the_same_figures_as_json(report, capsys):
    assert main(["evaluate", "--gold", str(DEV_GOLD), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == report


HELDOUT_GOLD = REPO / "digest_pipeline_tests" / "gold" / "heldout.jsonl"


def test_the_heldout_gold_is_well_formed():
    """The held-out set carries no floor (a floor would make it a tuning target); it must stay
    scoreable: spans inside their text, without surrounding blanks, of the three labels."""
    for line in HELDOUT_GOLD.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        for entity in entry["entities"]:
            surface = entry["text"][entity["start"] : entity["end"]]
            assert surface and surface == surface.strip(), (entry["id"], entity)
            assert entity["label"] in {"MODEL", "DATASET", "METRIC"}
    assert evaluate_file(HELDOUT_GOLD)[0]["mention"]["MODEL"]["tp"] > 0
