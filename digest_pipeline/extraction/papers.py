"""Paper-level names: what a paper calls its own model or dataset, found in all its texts.

A paper names its artefact in the title ("Seed-Music: A Unified ...") and then uses
the name everywhere, with nothing in any list to recognise it. A title's lead name
becomes an entity when the paper's texts present it as a model or a dataset ("X, a
benchmark", "a model termed X", "Seed-Music는 ... 모델입니다"); names any text of the paper found by
shape or context are likewise tagged in every text of the paper, unless the paper
presents them only as a method or framework (ANNOTATION.md: those are not models).
Occurrences are found by search in each text, on token boundaries: as written, a name
of several words in any case, a model's also in the plural.
"""

import re
from collections.abc import Iterator, Sequence

from spacy.tokens import Doc, Span

from digest_pipeline.extraction.components import (
    NAME_LIKE,
    NAMING_WORDS,
    capitalised,
    entities,
    set_entities,
    spells,
)
from digest_pipeline.extraction.gazetteer import Gazetteer
from digest_pipeline.extraction.tokenizer import source_text

# "Name: rest of the title", the name one token, possibly in LaTeX bold.
TITLE_NAME = re.compile(r"^\s*(?:\$\\text\w*\{)?(?P<name>[A-Za-z0-9∞][\w.+∞-]*?)(?:\}\$)?\s*:\s")
HAS_CAPITAL_OR_DIGIT = re.compile(r"[A-Z0-9]")
TYPE_NOUNS = {
    "MODEL": ("model", "network", "system", "detector", "transformer", "llm", "architecture", "모델", "네트워크", "시스템", "탐지기", "아키텍처"),
    "DATASET": ("dataset", "benchmark", "corpus", "testbed", "데이터셋", "벤치마크", "코퍼스", "말뭉치", "데이터 세트"),
    "METHOD": ("method", "framework", "technique", "approach", "algorithm", "mechanism", "strategy", "방법", "기법", "프레임워크", "메커니즘", "알고리즘", "접근법", "접근 방식", "방식", "전략"),
}  # fmt: skip
NOUN_TYPE = {noun: label for label, nouns in TYPE_NOUNS.items() for noun in nouns}
# Longest first, so "접근 방식" is not read as "방식".
NOUN = "|".join(re.escape(noun) for noun in sorted(NOUN_TYPE, key=len, reverse=True))
# Words of a noun phrase before its head noun; prepositions and clauses end the phrase.
MODIFIER = r"(?!(?:for|of|with|in|on|to|via|by|from|that|which|using)\b)[\w-]+,?"
# The type noun heads its phrase: a capitalised word after it is more of the name ("LLM
# Inference"); in a title, only a preposition or the end may follow it.
HEAD = r"s?(?![\w-])(?!\s+(?-i:[A-Z]))"
TITLE_HEAD = r"s?(?=\s+(?:for|of|with|in|on|to|via|by|from|using)\b|\s*[,.;:]|\s*$)"
KOREAN_WORD = r"[^\s.]+"
# The ways a text presents a name as a kind of thing (the noun): what may follow the name,
# each matched where an occurrence of the name ends...
AFTER_NAME = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # "X, a novel retrieval model", "X is the first benchmark"
        rf"(?:\s*\([^()]{{0,80}}\))?(?:\s*,|\s+(?:is|was))\s+(?:an?|the|our)\s+(?:{MODIFIER}\s+){{0,8}}?(?P<noun>{NOUN}){HEAD}",
        # "X: A Unified Framework for ...", "X: Efficient Diffusion Transformers for ..."
        rf"\s*:\s+(?:(?:an?|the)\s+)?(?:{MODIFIER}\s+){{0,8}}?(?P<noun>{NOUN}){TITLE_HEAD}",
        # "X dataset", "X (Expansion) dataset", "X 프레임워크"
        rf"(?:\s*\([^()]{{0,80}}\))?\s*(?P<noun>{NOUN})s?(?![A-Za-z])",
        # "X는 ... 새로운 음악 생성 모델입니다", "X는 ... FL 방법이며", "X라는 새로운 ... 방법을"
        rf"(?:은|는|이|가)\s+(?:{KOREAN_WORD}\s+){{0,20}}?(?P<noun>{NOUN})(?:입니다|이다|이며|이고|인|으로|로|임)",
        rf"(?:이라는|라는)\s+(?:{KOREAN_WORD}\s+){{0,4}}?(?P<noun>{NOUN})",
    )
]
NAMING = "|".join(re.escape(word) for word in NAMING_WORDS)
# ... and what may come before it, matched where it starts: "a novel model termed X", "a
# large-scale dataset, called X", "our model, the X", "시스템인 X".
BEFORE_NAME = re.compile(
    rf"(?P<noun>{NOUN})s?(?:인|이라는|라는)?\s*,?\s*(?:(?:{NAMING}|namely)\s+)?"
    r"(?:the\s+)?['\"‘“]?\Z",
    re.IGNORECASE,
)
REACH_BEFORE = 60
NAME_CHAR = re.compile(r"[A-Za-z0-9-]")
# Where a text introduces a new name: after a naming word ("a novel model termed KNR"), or
# after "our model," ("Our model, the Sparse Mixer"); BEFORE_NAME then gives its type.
# The name is one word, or up to six capitalised words; its first word has a capital or a
# digit ("termed as X", "named after X" introduce no name "as X", "after X").
NAMING_CUE = re.compile(rf"(?<![A-Za-z])(?:{NAMING}|our\s)", re.IGNORECASE)
INTRODUCTION = re.compile(
    rf"(?:{NAMING}|our\s+(?:{NOUN}),)\s+(?:the\s+)?"
    r"(?P<name>(?-i:[a-z0-9]*[A-Z0-9][A-Za-z0-9.+-]*[A-Za-z0-9+](?:\s+[A-Z][A-Za-z0-9.+-]*[A-Za-z0-9+]){0,5}))",
    re.IGNORECASE,
)


def named(text: str) -> Iterator[tuple[str, str]]:
    """The names a text introduces with a type noun, as (name, type). The pattern is tried
    only where a naming word is: searching the text with it cost ten times as much."""
    for cue in NAMING_CUE.finditer(text):
        if match := INTRODUCTION.match(text, cue.start()):
            name_start = match.start("name")
            noun = BEFORE_NAME.search(text, max(0, name_start - REACH_BEFORE), name_start)
            if noun:
                yield match.group("name"), NOUN_TYPE[noun.group("noun").lower()]


def title_name(title: str) -> str | None:
    match = TITLE_NAME.match(title)
    if match is None or not HAS_CAPITAL_OR_DIGIT.search(match.group("name")) or len(match.group("name")) < 3:
        return None
    return match.group("name")


def presented_as(name: str, texts: Sequence[str]) -> str | None:
    """How the paper presents the name: "MODEL", "DATASET", "METHOD", or None.

    Any presentation as a model makes it a MODEL (ANNOTATION.md: the paper's own model
    "when the text presents it as a model, network or system"); else a DATASET when
    presented so more often than as a method; else a METHOD when presented as one.
    """
    votes = {"MODEL": 0, "DATASET": 0, "METHOD": 0}
    for text in texts:
        for start, end in occurrences(text, name):
            matches = [pattern.match(text, end) for pattern in AFTER_NAME]
            before = max(0, start - REACH_BEFORE)
            # A word search first: the pattern, tried at every offset, costs ten times as much.
            preceding = text[before:start].lower()
            if any(noun in preceding for noun in NOUN_TYPE):
                matches.append(BEFORE_NAME.search(text, before, start))
            for match in filter(None, matches):
                votes[NOUN_TYPE[match.group("noun").lower()]] += 1
    if votes["MODEL"]:
        return "MODEL"
    if votes["DATASET"] > votes["METHOD"]:
        return "DATASET"
    return "METHOD" if votes["METHOD"] else None


# Head words that name what they end: "... Attention Network", "KiteNet", "... Recommender".
MODEL_HEAD = re.compile(r"(?:Net|Networks?|Transformers?|Recommender|Model)$", re.IGNORECASE)


def names_a_model(name: str, gazetteer: Gazetteer) -> bool:
    """Whether the name says it is a model even where the text calls it a framework: it ends
    in a model head word ("... Attention Network", "KiteNet") or in a known model's name
    ("SpeechBERT", "MusiCLAP", "Kite-DETR": variants of a model)."""
    return bool(MODEL_HEAD.search(name)) or any(
        name[i].isupper() and len(name) - i >= 3 and gazetteer.lookup("MODEL", name[i:])
        for i in range(1, len(name))
    )


def paper_names(
    docs: Sequence[Doc], title: Doc | None, gazetteer: Gazetteer
) -> dict[str, tuple[str, str] | None]:
    """Names the paper introduces -> their type and canonical name, or None for a name found
    by shape or context that the paper presents only as a method (to be untagged)."""
    texts = [source_text(doc) for doc in docs]
    names: dict[str, tuple[str, str] | None] = {
        ent.text: (ent.label_, ent.kb_id_)
        for doc in docs
        for ent in entities(doc)
        if ent.id_ in {"context", "shape"} and ent.label_ != "METRIC"
    }
    for name, found in names.items():
        if (
            found[0] == "MODEL"
            and not names_a_model(name, gazetteer)
            and presented_as(name, texts) == "METHOD"
        ):
            names[name] = None
    for text in texts:
        for name, label in named(text):
            if label != "METHOD" and name not in names and NAME_LIKE.match(name):
                names[name] = (label, name)
    lead = title_name(source_text(title)) if title is not None else None
    if lead and lead not in names and not gazetteer.is_non_entity(lead):
        label = presented_as(lead, texts)
        if label in {"MODEL", "DATASET"}:
            names[lead] = (label, lead)
    for name, found in list(names.items()):
        for expansion in expansions_after(name, texts) if found else ():
            names.setdefault(expansion, found)
    return names


BRACKETED = re.compile(r"\s*\(([^()]{4,80})\)")


def expansions_after(name: str, texts: Sequence[str]) -> set[str]:
    """Expansions written after a name: "SEC (Scan, Extract, and Classify)"."""
    capitals = [char for char in name if char.isupper()]
    found: set[str] = set()
    if len(capitals) < 2:
        return found
    for text in texts:
        if "(" not in text:
            continue
        for _, end in occurrences(text, name):
            bracketed = BRACKETED.match(text, end)
            words = re.findall(r"[\w-]+", bracketed.group(1)) if bracketed else []
            if len(words) > 1 and capitalised(words) and spells(words, capitals):
                found.add(bracketed.group(1).strip())
    return found


def occurrences(text: str, name: str, plural: bool = False) -> Iterator[tuple[int, int]]:
    """Where a text writes a name, as (start, end): not inside a longer word; a name of several
    words in any case ("Sparse Mixing Network" in a title, "sparse mixing network" in the
    abstract), a one-word model name also in the plural ("KiteNets")."""
    if " " in name:
        for found in re.finditer(re.escape(name), text, re.IGNORECASE):
            yield found.start(), found.end()
        return
    start = text.find(name)
    while start != -1:
        end = start + len(name)
        end += plural and text.startswith("s", end)
        if not (start and NAME_CHAR.match(text, start - 1)) and not NAME_CHAR.match(text, end):
            yield start, end
        start = text.find(name, end)


def tag_paper_names(docs: Sequence[Doc], names: dict[str, tuple[str, str] | None]) -> None:
    """Add every token-aligned, non-overlapping occurrence of the names to each doc's entities,
    longer names first; drop the spans of names the paper presents as methods."""
    untagged = {name for name, found in names.items() if found is None}
    tagged = sorted(((name, found) for name, found in names.items() if found), key=lambda item: -len(item[0]))
    for doc in docs:
        text = source_text(doc)
        added = [
            span
            for name, (label, canonical) in tagged
            for start, end in occurrences(text, name, plural=label == "MODEL")
            if (span := doc.char_span(start, end, label=label, kb_id=canonical, span_id="paper")) is not None
        ]
        current = [ent for ent in entities(doc) if ent.id_ == "gazetteer" or ent.text not in untagged]
        taken = {i for ent in current for i in range(ent.start, ent.end)}
        fresh: list[Span] = []
        for span in added:
            if taken.isdisjoint(range(span.start, span.end)):
                fresh.append(span)
                taken.update(range(span.start, span.end))
        set_entities(doc, sorted([*current, *fresh], key=lambda span: span.start))
