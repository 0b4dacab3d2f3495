"""Entity extraction: a spaCy pipeline built from a blank multi-language model plus rules.

`build_extractor()` makes the pipeline once per process; `extract(texts)` runs it in
batches with `nlp.pipe` and returns plain records for the tables.
"""

import gc
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import count, repeat

import spacy
from spacy.language import Language

from digest_pipeline.extraction import components, papers, results, tokenizer  # registers the factories
from digest_pipeline.extraction.gazetteer import load_gazetteer

BATCH_SIZE = 256
# Only the start of a longer text is read: summaries run to hundreds of characters, spaCy
# refuses texts over `nlp.max_length` (1,000,000), and one such text would fail the whole run.
MAX_TEXT_CHARS = 100_000


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
    nlp.add_pipe("digest_entities")
    nlp.add_pipe("digest_results")
    return nlp


def freeze_long_lived_objects() -> None:
    """For a process about to extract at length (a Dagster step, an extraction worker, the
    benchmark): what exists by now (the pipeline, its gazetteers, the libraries) lives as long
    as the process, and the garbage collector rescanned it on every full collection, a quarter
    of `extract`'s time. Frozen, it is scanned no more; it is never collected either, so this is
    for processes that end with their work, not for a notebook."""
    build_extractor()
    gc.collect()
    gc.freeze()


def extract(
    texts: Iterable[str],
    papers: Iterable[Hashable] | None = None,
    titles: Iterable[bool] | None = None,
    batch_size: int = BATCH_SIZE,
) -> Iterator[Extraction]:
    """One Extraction per text, in order.

    `papers` gives each text's paper (texts of one paper must be consecutive) and
    `titles` marks the title among them: names a paper introduces are then found
    in all of its texts. Without them every text stands alone. Mentions are found in the
    first MAX_TEXT_CHARS characters of each text.
    """
    units = zip(
        (text[:MAX_TEXT_CHARS] for text in texts),
        papers if papers is not None else count(),
        titles if titles is not None else repeat(False),
        strict=False,
    )
    for chunk in _paper_chunks(units, batch_size * 8):
        yield from _extract_chunk(chunk, batch_size)


def _paper_chunks(units: Iterable[tuple[str, Hashable, bool]], size: int) -> Iterator[list]:
    """Consecutive units in chunks of about `size`, never splitting a paper."""
    chunk: list = []
    for unit in units:
        if len(chunk) >= size and unit[1] != chunk[-1][1]:
            yield chunk
            chunk = []
        chunk.append(unit)
    if chunk:
        yield chunk


def _extract_chunk(chunk: list[tuple[str, Hashable, bool]], batch_size: int) -> Iterator[Extraction]:
    nlp = build_extractor()
    docs = list(nlp.pipe((text for text, _, _ in chunk), batch_size=batch_size, disable=["digest_results"]))
    gazetteer = load_gazetteer()
    start = 0
    for end in range(1, len(chunk) + 1):
        if end == len(chunk) or chunk[end][1] != chunk[start][1]:
            paper = docs[start:end]
            title = next((doc for doc, unit in zip(paper, chunk[start:end], strict=True) if unit[2]), None)
            names = papers.paper_names(paper, title, gazetteer)
            if names:
                papers.tag_paper_names(paper, names)
            start = end
    find_results = nlp.get_pipe("digest_results").find
    for doc in docs:
        find_results(doc)
        mentions = [
            Mention(
                ent.start_char,
                ent.end_char,
                ent.label_,
                ent.text,
                ent.kb_id_,
                ent.id_,
                components.CONFIDENCE[ent.id_],
            )
            for ent in components.entities(doc)
        ]
        found = [
            Result(r["metric"], r["value"], r["unit"], r["dataset"], r["model"], r["sentence"])
            for r in results.results(doc)
        ]
        yield Extraction(mentions, found)


__all__ = [
    "Extraction",
    "Mention",
    "Result",
    "build_extractor",
    "components",
    "extract",
    "freeze_long_lived_objects",
    "papers",
    "tokenizer",
]
