"""Entity extraction: a spaCy pipeline built from a blank multi-language model plus rules.

`build_extractor()` makes the pipeline once per process; `extract(texts)` runs it in
batches with `nlp.pipe` and returns plain records for the tables.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

import spacy
from spacy.language import Language

from digest_pipeline.extraction import components, tokenizer  # registers the factories
from digest_pipeline.extraction.gazetteer import load_gazetteer

BATCH_SIZE = 256


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    label: str
    text: str
    canonical: str
    method: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Result:
    metric: str
    value: float
    unit: str
    dataset: str | None
    model: str | None
    sentence: str


@dataclass(frozen=True, slots=True)
class Extraction:
    mentions: list[Mention]
    results: list[Result]


@cache
def build_extractor() -> Language:
    nlp = spacy.blank("xx", config={"nlp": {"tokenizer": {"@tokenizers": "digest_pipeline.tokenizer.v1"}}})
    korean_words = {
        alias.split()[-1]
        for entity in load_gazetteer().entities
        for alias in (entity.name, *entity.aliases)
        if alias.strip()
    }
    tokenizer.add_particle_exceptions(nlp.tokenizer, korean_words)
    nlp.add_pipe("digest_entities")
    nlp.add_pipe("digest_results")
    return nlp


def extract(texts: Iterable[str], batch_size: int = BATCH_SIZE) -> Iterator[Extraction]:
    """One Extraction per text, in order."""
    for doc in build_extractor().pipe(texts, batch_size=batch_size):
        mentions = [
            Mention(
                ent.start_char,
                ent.end_char,
                ent.label_,
                ent.text,
                ent.kb_id_,
                ent._.method,
                ent._.confidence,
            )
            for ent in doc.ents
        ]
        results = [
            Result(r["metric"], r["value"], r["unit"], r["dataset"], r["model"], r["sentence"])
            for r in doc._.results
        ]
        yield Extraction(mentions, results)


__all__ = ["Extraction", "Mention", "Result", "build_extractor", "components", "extract"]
