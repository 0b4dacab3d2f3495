"""The curated knowledge the extractor ships with: models, datasets, metrics, and non-entities.

Data files live beside this module (`data/*.jsonl`), written from knowledge of the
field and documentation, never harvested from digests.
"""

import json
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"
LABEL_FILES = {"MODEL": "models.jsonl", "DATASET": "datasets.jsonl", "METRIC": "metrics.jsonl"}
PARAMS = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?([BMK])\b", re.IGNORECASE)
FOLD = re.compile(r"[\s_\-–—./·()]+")


# Candidate names recur across texts and are looked up under each label.
@lru_cache(maxsize=100_000)
def entity_key(text: str) -> str:
    """What makes two spellings the same name: case, spaces, hyphens and dots do not count."""
    return FOLD.sub("", text.lower())


@dataclass(frozen=True, slots=True)
class Entity:
    name: str
    label: str
    aliases: tuple[str, ...] = ()
    family: str | None = None
    params: str | None = None
    higher_is_better: bool | None = None
    # Names that are also everyday words (MATH, DROP, CLIP) match only as written.
    case_sensitive: bool = False

    @property
    def id(self) -> str:
        return f"{self.label}:{self.name}"


@dataclass
class Gazetteer:
    entities: list[Entity]
    non_entities: set[str] = field(default_factory=set)
    by_key: dict[tuple[str, str], Entity] = field(init=False)
    # The names of case-sensitive entities with their case, folded otherwise as `entity_key` does.
    cased: set[tuple[str, str]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_key, self.cased = {}, set()
        for entity in self.entities:
            for alias in (entity.name, *entity.aliases):
                self.by_key.setdefault((entity.label, entity_key(alias)), entity)
                if entity.case_sensitive:
                    self.cased.add((entity.label, FOLD.sub("", alias)))

    def lookup(self, label: str, text: str) -> Entity | None:
        """The entity a name spells, in any case unless the entity's names match only as
        written ("Codex-S" is no CoDEx-S)."""
        entity = self.by_key.get((label, entity_key(text)))
        if entity is not None and entity.case_sensitive and (label, FOLD.sub("", text)) not in self.cased:
            return None
        return entity

    def is_non_entity(self, text: str) -> bool:
        return entity_key(text) in self.non_entities


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


# The last word of an English metric name, which takes a plural: "accuracies", "error rates".
PLURAL_TAKING = re.compile(r"(?<![A-Za-z])[a-z]{3,}$")
# An abbreviated metric name takes a plain "s": "FIDs", "AUCs", "mIoUs", "F1s".
ABBREVIATION = re.compile(r"(?=(?:.*[A-Z]){2}|.*[A-Z]\d)[A-Za-z0-9-]{2,10}")


def plural(phrase: str) -> str:
    if phrase.endswith("y") and phrase[-2:-1] not in "aeiou":
        return phrase[:-1] + "ies"
    return phrase + ("es" if phrase.endswith(("s", "x", "ch", "sh")) else "s")


def aliases_of(label: str, row: dict, listed: dict[tuple[str, str], str]) -> tuple[str, ...]:
    """An entity's aliases; a metric's include the plurals of its English names and abbreviations
    ("classification accuracies", "F1 scores", "FIDs"): results are often stated for several
    datasets at once. A plural that another entity lists as its own name is that entity's ("APs"
    is AP_S, small-object AP, not the plural of AP); `listed` maps each listed name to its entity."""
    aliases = row.get("aliases", [])
    if label != "METRIC" or row.get("case_sensitive", False):
        return tuple(aliases)
    names = [row["name"], *aliases]
    plurals = [plural(name) for name in names if len(name) > 4 and PLURAL_TAKING.search(name)]
    plurals += [f"{name}s" for name in names if ABBREVIATION.fullmatch(name) and not name.endswith("s")]
    plurals = [name for name in plurals if listed.get((label, entity_key(name)), row["name"]) == row["name"]]
    return tuple(dict.fromkeys(alias for alias in [*aliases, *plurals] if alias != row["name"]))


@cache
def load_gazetteer(data: Path = DATA) -> Gazetteer:
    rows = [(label, row) for label, filename in LABEL_FILES.items() for row in read_jsonl(data / filename)]
    listed = {
        (label, entity_key(name)): row["name"]
        for label, row in rows
        for name in (row["name"], *row.get("aliases", []))
    }
    entities = [
        Entity(
            name=row["name"],
            label=label,
            aliases=aliases_of(label, row, listed),
            family=row.get("family"),
            params=row.get("params"),
            higher_is_better=row.get("higher_is_better"),
            case_sensitive=row.get("case_sensitive", False),
        )
        for label, row in rows
    ]
    non_entities = {entity_key(row["name"]) for row in read_jsonl(data / "non_entities.jsonl")}
    return Gazetteer(entities, non_entities)


def parameter_count(name: str) -> float | None:
    """Parameters a model's name states ("Llama 3.1 8B" -> 8e9), else None."""
    match = PARAMS.search(name)
    if match is None:
        return None
    scale = {"b": 1e9, "m": 1e6, "k": 1e3}[match.group(2).lower()]
    return float(match.group(1)) * scale
