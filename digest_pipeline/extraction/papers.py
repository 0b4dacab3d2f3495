"""Paper-level names: what a paper calls its own model or dataset, found in all its texts.

A paper names its artefact in the title ("Seed-Music: A Unified ...") and then uses
the name everywhere, with nothing in any list to recognise it. A title's lead name
becomes an entity when the paper's texts present it as a model or a dataset (a type
noun right after the name: "Seed-Music는 ... 모델입니다", "X, a benchmark");
names any text of the paper found by shape or context are likewise tagged in every
text of the paper. Occurrences are found by exact search in each text, on token
boundaries.
"""

import re
from collections.abc import Sequence

from spacy.tokens import Doc, Span

from digest_pipeline.extraction.components import entities, set_entities
from digest_pipeline.extraction.gazetteer import Gazetteer
from digest_pipeline.extraction.tokenizer import source_text

# "Name: rest of the title", the name one token, possibly in LaTeX bold.
TITLE_NAME = re.compile(r"^\s*(?:\$\\text\w*\{)?(?P<name>[A-Za-z0-9∞][\w.+∞-]*?)(?:\}\$)?\s*:\s")
HAS_CAPITAL_OR_DIGIT = re.compile(r"[A-Z0-9]")
TYPE_NOUNS = {
    "MODEL": ("model", "network", "system", "detector", "transformer", "llm", "모델", "네트워크", "시스템", "탐지기", "아키텍처"),
    "DATASET": ("dataset", "benchmark", "corpus", "testbed", "데이터셋", "벤치마크", "코퍼스", "말뭉치", "데이터 세트"),
    "METHOD": ("method", "framework", "technique", "approach", "algorithm", "mechanism", "strategy", "방법", "기법", "프레임워크", "메커니즘", "알고리즘", "접근법", "접근 방식", "방식", "전략"),
}  # fmt: skip
TYPE_NOUN = re.compile(
    "|".join(re.escape(noun) for nouns in TYPE_NOUNS.values() for noun in nouns), re.IGNORECASE
)
NOUN_TYPE = {noun: label for label, nouns in TYPE_NOUNS.items() for noun in nouns}
WORDS_AFTER_NAME = 15
SENTENCE_END = re.compile(r"(?<=[.!?。])\s+")


def title_name(title: str) -> str | None:
    match = TITLE_NAME.match(title)
    if match is None or not HAS_CAPITAL_OR_DIGIT.search(match.group("name")) or len(match.group("name")) < 3:
        return None
    return match.group("name")


def presented_as(name: str, texts: Sequence[str]) -> str | None:
    """How the paper presents the name: the type noun nearest after each occurrence votes.

    Any presentation as a model makes it a MODEL (ANNOTATION.md: the paper's own model
    "when the text presents it as a model, network or system"); else a DATASET when
    presented so more often than as a method; a name presented as a method is no entity.
    """
    votes = {"MODEL": 0, "DATASET": 0, "METHOD": 0}
    for text in texts:
        for sentence in SENTENCE_END.split(text):
            for occurrence in re.finditer(re.escape(name), sentence):
                after = " ".join(sentence[occurrence.end() :].split()[:WORDS_AFTER_NAME])
                noun = TYPE_NOUN.search(after)
                if noun:
                    votes[NOUN_TYPE[noun.group().lower()]] += 1
    if votes["MODEL"]:
        return "MODEL"
    return "DATASET" if votes["DATASET"] > votes["METHOD"] else None


def paper_names(docs: Sequence[Doc], title: Doc | None, gazetteer: Gazetteer) -> dict[str, str]:
    """Names the paper introduces -> their type."""
    names = {
        ent.text: ent.label_
        for doc in docs
        for ent in entities(doc)
        if ent.id_ in {"context", "shape"} and ent.label_ != "METRIC"
    }
    lead = title_name(source_text(title)) if title is not None else None
    if lead and lead not in names and not gazetteer.is_non_entity(lead):
        label = presented_as(lead, [source_text(doc) for doc in docs])
        if label:
            names[lead] = label
    return names


def tag_paper_names(docs: Sequence[Doc], names: dict[str, str]) -> None:
    """Add every token-aligned, non-overlapping occurrence of the names to each doc's entities."""
    for doc in docs:
        text = source_text(doc)
        added = []
        for name, label in names.items():
            start = text.find(name)
            while start != -1:
                span = doc.char_span(start, start + len(name), label=label, kb_id=name, span_id="paper")
                if span is not None:
                    added.append(span)
                start = text.find(name, start + 1)
        if not added:
            continue
        current = entities(doc)
        taken = {i for ent in current for i in range(ent.start, ent.end)}
        fresh: list[Span] = []
        for span in added:
            if taken.isdisjoint(range(span.start, span.end)):
                fresh.append(span)
                taken.update(range(span.start, span.end))
        set_entities(doc, sorted([*current, *fresh], key=lambda span: span.start))
