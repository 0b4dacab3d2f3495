"""The extractor's entity recogniser, a registered spaCy component (results: `results.py`).

`digest_entities` finds MODEL, DATASET and METRIC mentions with phrase matchers over
the gazetteers, then token patterns for names no list holds (shapes like "-Bench",
"...QA", "X-7B"; context like "X dataset", "X라는 새로운 벤치마크"), resolves
overlaps, extends model names with their size, vetoes known non-entities and
sets `doc.ents` with the canonical name as `kb_id_`.

Between the two, entity spans live in `doc.user_data` (see `entities`), where the
paper-level step can add to them: `doc.ents` is rebuilt from every token on each
read and costs a pass over the doc on each write, so it is written once.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from digest_pipeline.extraction.gazetteer import DATA, Entity, entity_key, load_gazetteer
from digest_pipeline.extraction.tokenizer import TokenTexts, make_rule_tokenizer, source_text

ENTITY_SPANS = "digest_pipeline.entity_spans"


def set_entities(doc: Doc, spans: list[Span]) -> None:
    doc.user_data[ENTITY_SPANS] = spans


def entities(doc: Doc) -> list[Span]:
    """The doc's entity spans in order."""
    spans = doc.user_data.get(ENTITY_SPANS)
    return list(doc.ents) if spans is None else spans


# How sure each way of finding a name is; the order also breaks ties between overlaps.
# The method rides on each entity span as its `id_` (stored per token, so it survives
# `doc.ents`); the confidence follows from it.
CONFIDENCE = {"gazetteer": 0.95, "context": 0.75, "paper": 0.7, "shape": 0.6}
METHOD_ORDER = {method: order for order, method in enumerate(CONFIDENCE)}


# Names no list holds. A per-word test picks the tokens that could be names; their
# shape and the words after each decide. Regular
# expressions over the text replace Matcher REGEX predicates here: the Matcher
# evaluates its regex on every token and took 60% of the extractor's time.
def could_be_name(word: str) -> bool:
    return (
        word.isascii()
        and not word.islower()
        and any(char.isalpha() for char in word)
        and not (word.istitle() and word.isalpha())
    )


DATASET_NOUNS = (
    "dataset|datasets|benchmark|benchmarks|corpus|corpora|testbed|test set|test sets|"
    "데이터셋|벤치마크|데이터세트|말뭉치|코퍼스|평가셋|테스트셋|평가 세트|테스트 세트"
)
MODEL_NOUNS = "model|models|network|networks|backbone|모델|네트워크|백본"
APPOSITION_MODEL_NOUNS = "model|network"
# One alternation each, a named group per label, so a candidate costs two regex calls.
SHAPE = re.compile(
    r"(?P<DATASET>[A-Za-z0-9∞][\w.+∞-]*(?:Bench|BENCH|QA|-CD|Eval|EVAL|Arena))"
    r"|(?P<METRIC>[A-Za-z][\w-]*@\d+)"
    r"|(?P<MODEL>[A-Za-z][\w.-]*(?:BERT|GPT|Net|Former|former|LLM|Diff|GAN|Mamba|CLIP|ViT|Llama|LLaMA|"
    r"Whisper|VAE|DETR|YOLO|Qwen|Gemma|Mistral|T5|Det|Seg|Bert|CLAP)(?:\d+|s)?(?:-[\w.]+)*"
    # A name ending in a parameter count is a model ("Quokka-13B"); other numbers are not a sign.
    r"|[A-Z][A-Za-z0-9.]*(?:-[A-Za-z0-9.]+)*-\d+(?:\.\d+)?[BM])"
)


VARIANT_SEPARATOR = re.compile(r"[-/]")


# Names recur across digests and a dictionary lookup costs a tenth of the regex.
@lru_cache(maxsize=100_000)
def shape_of(name: str) -> str | None:
    """The label a name's shape gives it, if any."""
    shape = SHAPE.fullmatch(name)
    return shape.lastgroup if shape else None


CONTEXT = re.compile(
    rf"(?P<DATASET>\s+(?i:{DATASET_NOUNS})(?![A-Za-z])"
    rf"|,\s+an?\s+(?:[A-Za-z-]+\s+){{0,3}}(?i:{DATASET_NOUNS})(?![A-Za-z])"
    rf"|(?:라는|이라는)\s+(?:\S+\s+){{0,2}}(?:{DATASET_NOUNS})"
    # "X에서 ... 47.3%": the Korean locative marks what results are reported on.
    r"|에서(?:의|는)?(?=\s))"
    rf"|(?P<MODEL>\s+(?i:{MODEL_NOUNS})(?![A-Za-z])"
    # "X, a neural retrieval model": the apposition says what the name is.
    rf"|,\s+an?\s+(?:[A-Za-z-]+\s+){{0,3}}(?:{APPOSITION_MODEL_NOUNS})(?![A-Za-z]))"
)
# Two capitals or a digit make a name: "FooSet dataset", "GPT-4o 모델".
NAME_LIKE = re.compile(r"(?:[^A-Z]*[A-Z]){2}|.*\d")
# Hyphenated dictionary words ("Vision-Language", "Co-Teaching") read as names but are not.
WORD_COMPOUND = re.compile(r"^[A-Z]?[a-z]+(?:-[A-Z]?[a-z]+)+$")
# Generic head nouns a gazetteer alias may carry that the span leaves out ("F1 score" -> "F1").
TRAILING_GENERIC = {
    "score",
    "scores",
    "점수",
    "dataset",
    "datasets",
    "benchmark",
    "benchmarks",
    "데이터셋",
    "벤치마크",
}
# A metric name used for a task: "CTR prediction".
TASK_AFTER_METRIC = {
    "prediction",
    "predictions",
    "estimation",
    "forecasting",
    "예측",
    "모델",
    "model",
    "models",
}


def is_kind(written: str) -> bool:
    """Whether a model name of several words, as written, names a kind: all in lower case, with
    no version ("vision transformer", "graph attention network"; not "Vision Transformer")."""
    return written.islower() and not any(char.isdigit() for char in written)


# A plural of a name no list holds: "KiteNets", "ABCNs" name "KiteNet", "ABCN".
PLURAL_NAME = re.compile(r"(?:[A-Z]|Net|[Ff]ormer)s$")
# Versioned-looking tokens that are not models.
NOT_VERSIONED_MODEL = re.compile(
    r"^(?:COVID|SARS|ICLR|NeurIPS|NIPS|ICML|ACL|EMNLP|NAACL|CVPR|ICCV|ECCV|AAAI|IJCAI|KDD|WWW|SIGIR|"
    r"Interspeech|ICASSP|Top|RTX|GTX|Figure|Fig|Table|Section|Appendix|ISO|IEEE|Windows|Python|Web|"
    r"Industry|Level|Stage|Step|Phase|Version|Type|Class|Round|Task|Day|Pass)",
    re.IGNORECASE,
)
LABELS = ("MODEL", "DATASET", "METRIC")
RANKING_BASES = {
    "hits",
    "hit",
    "recall",
    "precision",
    "ndcg",
    "mrr",
    "map",
    "acc",
    "accuracy",
    "pass",
    "success",
    "f1",
}
AT_K = re.compile(r"@\s?\d+$")
SIZE = re.compile(r"^\d+(?:\.\d+)?[BMK]$|^\d+x\d+[BM]$|^v\d+(?:\.\d+)*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int
    end: int
    label: str
    method: str
    entity: Entity | None = None

    @property
    def rank(self) -> tuple:
        return (-(self.end - self.start), METHOD_ORDER[self.method], self.start)


def is_case_sensitive(alias: str) -> bool:
    """Short names and acronyms ("PER", "CLIP", "SAM") only match as written."""
    return len(alias) <= 4 or not any(char.islower() for char in alias)


@Language.factory("digest_entities", default_config={"data": str(DATA)})
def create_entity_recogniser(nlp: Language, name: str, data: str) -> "EntityRecogniser":
    return EntityRecogniser(nlp, Path(data))


class EntityRecogniser:
    def __init__(self, nlp: Language, data: Path):
        self.gazetteer = load_gazetteer(data)
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.by_match_id: dict[int, Entity] = {}
        self.name_flag = nlp.vocab.add_flag(could_be_name)
        self.variant_of = lru_cache(maxsize=100_000)(self._variant_of)
        # Patterns get a tokenizer of their own: tens of thousands of aliases would
        # otherwise fill the pipeline tokenizer's cache before any digest text is seen.
        make_doc = make_rule_tokenizer(nlp, cache_size=0)
        for entity in self.gazetteer.entities:
            aliases = {entity.name, *entity.aliases}
            exact = [
                make_doc(alias) for alias in aliases if entity.case_sensitive or is_case_sensitive(alias)
            ]
            folded = [
                make_doc(alias)
                for alias in aliases
                if not (entity.case_sensitive or is_case_sensitive(alias))
            ]
            match_id = nlp.vocab.strings.add(entity.id)
            self.by_match_id[match_id] = entity
            if exact:
                self.exact.add(entity.id, exact)
            if folded:
                self.folded.add(entity.id, folded)

    def __call__(self, doc: Doc) -> Doc:
        candidates = [
            Candidate(start, end, entity.label, "gazetteer", entity)
            for match_id, start, end in [*self.exact(doc), *self.folded(doc)]
            for entity in (self.by_match_id[match_id],)
        ]
        text = source_text(doc)
        words = TokenTexts(doc)
        # Tokens that could be names: ASCII, not all lower case, not a plain capitalised word,
        # not a number or punctuation ("GPT-4o", "FooSet", "MMLU", "Quokka-13B"; not "The").
        # A lexeme flag: spaCy decides it once per distinct word and reads it for the whole doc
        # at once.
        for i in doc.to_array(self.name_flag).nonzero()[0].tolist():
            token = doc[i]
            name = words[i] = token.text
            context = CONTEXT.match(text, token.idx + len(name))
            if context is not None and NAME_LIKE.match(name):
                candidates.append(Candidate(i, i + 1, context.lastgroup, "context"))
            elif shape := shape_of(name) or self.variant_of(name):
                candidates.append(Candidate(i, i + 1, shape, "shape"))
        set_entities(doc, self.add_expansions(doc, words, self.resolve(doc, words, candidates)))
        return doc

    def _variant_of(self, name: str) -> str | None:
        """The label of a known model or dataset that a name is a variant of: the known name with a
        suffix after a hyphen or slash ("YOLOv7-E6E", "Codex-S", "PatchTST/64", "LSUN-Churches")."""
        base = VARIANT_SEPARATOR.split(name, maxsplit=1)[0]
        if len(base) < 2 or base == name:
            return None
        known = self.gazetteer.lookup("MODEL", base) or self.gazetteer.lookup("DATASET", base)
        return known.label if known else None

    def add_expansions(self, doc: Doc, words: TokenTexts, spans: list[Span]) -> list[Span]:
        """ "Content Focuser Network (CFNet)": the expansion and its abbreviation are two
        spans of one entity. The abbreviation is a known span, or a name whose expansion
        says what it is ("... Network (HCN)")."""
        # An abbreviation has two capitals at least ("(CFNet)"; not "(2024)", "(e.g.")).
        found = [
            match for match in PARENTHESISED.finditer(source_text(doc)) if TWO_CAPITALS.match(match.group(1))
        ]
        if not found:
            return spans
        known = {span.start: span for span in spans}
        taken = {i for span in spans for i in range(span.start, span.end)}
        added = []
        for match in found:
            inside = doc.char_span(match.start(1), match.end(1))
            if inside is None or len(inside) != 1 or inside.start < 2:
                continue
            opening, abbreviation = inside.start - 1, inside.text
            if words[opening] != "(" or not NAME_LIKE.match(abbreviation):
                continue
            start = expansion_start(words, opening, abbreviation)
            if start is None or not taken.isdisjoint(range(start, opening)):
                continue
            entity_span = known.get(inside.start)
            if entity_span is not None and entity_span.end == inside.end:
                label, canonical, method = entity_span.label_, entity_span.kb_id_, entity_span.id_
            else:
                # Words as written: "Task-specific" may be three tokens.
                expansion = [
                    words[i]
                    for i in range(start, opening)
                    if words[i] != "-" and not (i and words[i - 1] == "-")
                ]
                typed = next(
                    (
                        TYPE_WORDS[head]
                        for word in expansion
                        if (head := word.lower().split("-")[-1]) in TYPE_WORDS
                    ),
                    None,
                )
                label = typed or (
                    "MODEL" if start and words[start - 1].lower() in PROPOSE_WORDS else named_as(words, start)
                )
                # A lower-case expansion of an unknown abbreviation is a kind, not a name
                # ("feed-forward network (FFN)"), unless the paper introduces it as a model
                # ("we propose a novel dynamic routing network (DRN)").
                if (
                    not (capitalised(expansion) or (typed == "MODEL" and is_introduced(words, start)))
                    or label is None
                    or inside.start in taken
                    or self.gazetteer.is_non_entity(abbreviation)
                ):
                    continue
                canonical, method = abbreviation, "context"
                added.append(
                    Span(doc, inside.start, inside.end, label=label, kb_id=canonical, span_id=method)
                )
            added.append(Span(doc, start, opening, label=label, kb_id=canonical, span_id=method))
            taken.update(range(start, inside.end))
        return sorted([*spans, *added], key=lambda span: span.start) if added else spans

    def resolve(self, doc: Doc, words: TokenTexts, candidates: list[Candidate]) -> list[Span]:
        taken = bytearray(len(doc))
        spans = []
        for candidate in sorted(candidates, key=lambda c: c.rank):
            if any(taken[candidate.start : candidate.end]):
                continue
            span = self.to_span(doc, words, candidate)
            if span is None:
                continue
            taken[span.start : span.end] = b"\x01" * len(span)
            spans.append(span)
        return sorted(spans, key=lambda span: span.start)

    def to_span(self, doc: Doc, words: TokenTexts, candidate: Candidate) -> Span | None:
        entity, label = candidate.entity, candidate.label
        text = entity.name if entity else words[candidate.start]  # found by shape or context: one token
        if (
            label == "MODEL"
            and candidate.end - candidate.start > 1
            and is_kind(doc[candidate.start : candidate.end].text)
        ):
            return None
        if candidate.method != "gazetteer":
            if label == "MODEL" and PLURAL_NAME.search(text):
                text = text[:-1]
            if (
                self.gazetteer.is_non_entity(text)
                or WORD_COMPOUND.match(text)
                or (label == "MODEL" and NOT_VERSIONED_MODEL.match(text))
            ):
                return None
            # A name the gazetteers know under another type keeps its known type.
            entity = next(filter(None, (self.gazetteer.lookup(known, text) for known in LABELS)), None)
            label = entity.label if entity else label
            if label == "METRIC" and entity is None:
                # Only cut-offs of ranking metrics: "NDCG@20", "Hits@20" yes, "user@host" no.
                base = AT_K.sub("", text)
                entity = self.gazetteer.lookup("METRIC", base)
                if entity is None and base.lower() not in RANKING_BASES:
                    return None
        end = candidate.end
        if (
            end - candidate.start > 1
            and words[end - 1].lower() in TRAILING_GENERIC
            # Only where the rest is a name by itself ("F1 score"; not "Mean Opinion Score").
            and self.gazetteer.lookup(label, doc[candidate.start : end - 1].text)
        ):
            end -= 1
        if label == "METRIC" and task_word_follows(words, candidate.start, end):
            return None
        canonical = entity.name if entity else text
        if label == "MODEL" and SIZE.match(words[end]) and not (entity and entity.params):
            end += 1  # "Llama 3.1" + "8B": the size is part of the name
            canonical = f"{canonical} {words[end - 1]}"
            sized = self.gazetteer.lookup("MODEL", canonical)
            canonical = sized.name if sized else canonical
        elif label == "METRIC" and (cutoff := AT_K.search(text)) and "@" not in canonical:
            canonical += cutoff.group().replace(" ", "")  # "NDCG@20" is NDCG at a cut-off of 20
        return Span(doc, candidate.start, end, label=label, kb_id=canonical, span_id=candidate.method)


def task_word_follows(words: TokenTexts, start: int, end: int) -> bool:
    """Whether a task word follows the span, past an abbreviation in parentheses:
    "click-through rate (CTR) prediction" and its "(CTR) prediction" name a task, not a metric."""
    after = end
    if words[after] == "(" and words[after + 2] == ")":
        after += 3
    elif words[after] == ")" and start > 0 and words[start - 1] == "(":
        after += 1
    return words[after].lower() in TASK_AFTER_METRIC


# Words in an expansion that say what the abbreviation names.
TYPE_WORDS = {
    **dict.fromkeys(
        ["network", "networks", "transformer", "model", "models", "net", "encoder", "detector"], "MODEL"
    ),
    **dict.fromkeys(["dataset", "benchmark", "corpus"], "DATASET"),
    **dict.fromkeys(["rate", "score", "error", "accuracy", "precision", "recall"], "METRIC"),
}
PARENTHESISED = re.compile(r"\(([^\s()]{2,20})(?:\s+(?:in|for)\s+short)?\)")
TWO_CAPITALS = re.compile(r"(?:[^A-Z]*[A-Z]){2}")
FUNCTION_WORDS = {"of", "for", "and", "in", "on", "with", "the", "a", "an", "to", "via", "by"}
# "we propose Neural Common Neighbor (NCN)": what a paper proposes under a name is its model.
PROPOSE_WORDS = {
    "propose",
    "proposes",
    "proposed",
    "introduce",
    "introduces",
    "present",
    "presents",
    "develop",
    "develops",
}


# A new name follows a propose word past articles ("we propose a ..."), or "novel" or "new".
ARTICLES = {"a", "an", "the", "our"}
NOVEL_WORDS = {"novel", "new"}


def is_introduced(words: TokenTexts, start: int) -> bool:
    """Whether the words before `start` introduce a new name: "we propose (a) ...", "a novel ..."."""
    before = start - 1
    while before >= 0 and words[before].lower() in ARTICLES:
        before -= 1
    return before >= 0 and (words[before].lower() in PROPOSE_WORDS or words[before].lower() in NOVEL_WORDS)


# Words that introduce a name ("a model called X"); "known as" is two words.
NAMING_WORDS = ("called", "termed", "named", "dubbed", "coined", "known as")
NAMING_REACH = 6


def named_as(words: TokenTexts, start: int) -> str | None:
    """The type a naming phrase before `start` gives the name: "a new model for sparse
    retrieval called ..." -> MODEL; the nearest type noun within a few words before decides."""
    before = [words[i].lower() for i in range(max(0, start - 2 - NAMING_REACH), start)]
    if before[-2:] == ["known", "as"]:
        before.pop()
    elif not before or before[-1] not in NAMING_WORDS:
        return None
    for word in reversed(before[:-1]):
        if label := TYPE_WORDS.get(word) or TYPE_WORDS.get(word.removesuffix("s")):
            return label
    return None


def expansion_start(words: TokenTexts, opening: int, abbreviation: str) -> int | None:
    """Where the words before "(ABBR)" start to spell it (see `spells`): the nearest word that
    does, with only words (no numbers or punctuation) between it and the bracket."""
    capitals = [char for char in abbreviation if char.isupper()]
    if len(capitals) < 2:
        return None
    lowest = max(0, opening - len(capitals) - 3)
    texts = [words[i] for i in range(lowest, opening)]
    if hyphens := texts.count("-"):  # a hyphen before a modifier is a token ("Context - enhanced")
        lowest = max(0, lowest - 2 * hyphens)
        texts = [words[i] for i in range(lowest, opening)]
    for start in range(opening - 1, lowest - 1, -1):
        first = texts[start - lowest]
        if not (first.isalpha() or "-" in first):
            return None
        if first.lower() not in FUNCTION_WORDS and spells(texts[start - lowest :], capitals):
            return start
    return None


def capitalised(words: list[str]) -> bool:
    """Whether every word but the function words starts with a capital, as a name's words do
    ("Content Focuser Network"; not "feed-forward network")."""
    return all(word[0].isupper() for word in words if word.lower() not in FUNCTION_WORDS)


def spells(words: list[str], capitals: list[str]) -> bool:
    """Whether the words spell an abbreviation's capitals: the first word gives the first
    capital, and the rest appear in order among the words' letters (see `initials`)."""
    if words[0][0].upper() != capitals[0]:
        return False
    letters = iter("".join(initials(word) for word in words))
    return all(capital in letters for capital in capitals)


@lru_cache(maxsize=10_000)
def initials(word: str) -> str:
    """The letters a word gives an abbreviation: none for a function word, else the initial of
    each hyphenated part and the capitals inside mixed-case parts, which backronyms spell with
    ("ReTrieval" -> "RT"; not "ABC" -> "ABC")."""
    if word.lower() in FUNCTION_WORDS:
        return ""
    return "".join(
        part[0].upper() + ("" if part.isupper() else "".join(c for c in part[1:] if c.isupper()))
        for part in word.split("-")
        if part
    )


__all__ = ["EntityRecogniser", "entity_key"]
