"""Score the extractor against a gold file (JSON Lines), per ANNOTATION.md's quality figures.

- mention level: exact (start, end, label) matches, micro P/R/F1 per type;
- paper level: sets of canonical entities per paper and type;
- results: metric, value and unit match, and the dataset too where the gold names one.

Canonical names on both sides go through the same alias table, so "F1 score" in gold
and "F1" predicted are one metric; a name neither side's table knows is compared
case-, space- and hyphen-insensitively.
"""

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from digest_pipeline.extraction import Extraction, extract
from digest_pipeline.extraction.gazetteer import entity_key, load_gazetteer

LABELS = ("MODEL", "DATASET", "METRIC")


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: Counter | set, gold: Counter | set) -> None:
        predicted, gold = Counter(predicted), Counter(gold)
        hits = sum((predicted & gold).values())
        self.tp += hits
        self.fp += sum(predicted.values()) - hits
        self.fn += sum(gold.values()) - hits

    def figures(self) -> dict:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass
class Errors:
    false_positives: list[dict] = field(default_factory=list)
    false_negatives: list[dict] = field(default_factory=list)


def canonical_key(label: str, name: str | None) -> str | None:
    if name is None:
        return None
    known = load_gazetteer().lookup(label, name)
    return entity_key(known.name if known else name)


def read_gold(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def score(gold: list[dict], predictions: list[Extraction]) -> tuple[dict, Errors]:
    mention = {label: Tally() for label in LABELS}
    paper = {label: Tally() for label in LABELS}
    results = Tally()
    errors = Errors()
    paper_gold: dict[tuple[str, str], set] = defaultdict(set)
    paper_predicted: dict[tuple[str, str], set] = defaultdict(set)
    for item, predicted in zip(gold, predictions, strict=True):
        text, paper_id = item["text"], item.get("paper_id", item["id"])
        gold_entities = [e for e in item.get("entities", []) if e["label"] in LABELS]
        for label in LABELS:
            gold_spans = {(e["start"], e["end"]) for e in gold_entities if e["label"] == label}
            predicted_spans = {(m.start, m.end) for m in predicted.mentions if m.label == label}
            mention[label].add(predicted_spans, gold_spans)
            for start, end in sorted(predicted_spans - gold_spans):
                errors.false_positives.append({"id": item["id"], "label": label, "text": text[start:end]})
            for start, end in sorted(gold_spans - predicted_spans):
                errors.false_negatives.append({"id": item["id"], "label": label, "text": text[start:end]})
        for e in gold_entities:
            name = e.get("canonical") or text[e["start"] : e["end"]]
            paper_gold[(paper_id, e["label"])].add(canonical_key(e["label"], name))
        for m in predicted.mentions:
            paper_predicted[(paper_id, m.label)].add(canonical_key(m.label, m.canonical))
        predicted_ids, gold_ids = _match_results(item.get("results", []), predicted)
        results.add(predicted_ids, gold_ids)
        for _kind, index in sorted(predicted_ids - gold_ids):
            r = predicted.results[index]
            errors.false_positives.append(
                {"id": item["id"], "label": "RESULT", "text": f"{r.dataset}|{r.metric}|{r.value}{r.unit}"}
            )
        for _kind, index in sorted(gold_ids - predicted_ids):
            g = item["results"][index]
            errors.false_negatives.append(
                {
                    "id": item["id"],
                    "label": "RESULT",
                    "text": f"{g.get('dataset')}|{g['metric']}|{g['value']}{g.get('unit', '')}",
                }
            )
    for key in paper_gold.keys() | paper_predicted.keys():
        paper[key[1]].add(paper_predicted.get(key, set()), paper_gold.get(key, set()))
    report = {
        "texts": len(gold),
        "mention": {label: tally.figures() for label, tally in mention.items()},
        "paper": {label: tally.figures() for label, tally in paper.items()},
        "results": results.figures(),
    }
    return report, errors


def _match_results(gold: list[dict], predicted: Extraction) -> tuple[Counter, Counter]:
    """Pair results one to one; returns (predicted ids, gold ids) sharing ids where they match."""
    unmatched = list(range(len(predicted.results)))
    gold_ids, predicted_ids = Counter(), Counter()
    for g_index, g in enumerate(gold):
        gold_ids[("g", g_index)] += 1
        g_metric = canonical_key("METRIC", g["metric"])
        g_dataset = canonical_key("DATASET", g.get("dataset"))
        for p_index in unmatched:
            p = predicted.results[p_index]
            if (
                canonical_key("METRIC", p.metric) == g_metric
                and abs(p.value - float(g["value"])) < 1e-6
                and p.unit == g.get("unit", "")
                and (g_dataset is None or canonical_key("DATASET", p.dataset) == g_dataset)
            ):
                unmatched.remove(p_index)
                predicted_ids[("g", g_index)] += 1
                break
    predicted_ids.update(("p", p_index) for p_index in unmatched)
    return predicted_ids, gold_ids


def evaluate_file(path: Path) -> tuple[dict, Errors]:
    gold = read_gold(path)
    extractions = extract(
        [item["text"] for item in gold],
        papers=[item.get("paper_id", item["id"]) for item in gold],
        titles=[item["id"].endswith(":title") for item in gold],
    )
    return score(gold, list(extractions))


def format_report(report: dict) -> str:
    lines = [
        f"{report['texts']} texts",
        f"{'level':<10}{'type':<9}{'P':>8}{'R':>8}{'F1':>8}{'tp':>6}{'fp':>6}{'fn':>6}",
    ]
    rows = [(level, label, report[level][label]) for level in ("mention", "paper") for label in LABELS]
    rows.append(("results", "", report["results"]))
    for level, label, f in rows:
        lines.append(
            f"{level:<10}{label:<9}{f['precision']:>8.3f}{f['recall']:>8.3f}{f['f1']:>8.3f}{f['tp']:>6}{f['fp']:>6}{f['fn']:>6}"
        )
    return "\n".join(lines)
