"""A tokenizer for Korean-English digest text, from spaCy's multi-language defaults.

English names carry Korean particles glued on ("SSMax는", "GPT-4o의", "31.61%에서")
and abbreviations glued to their expansions ("Error Rate(PER)"). The rules below
split those, so entity spans come out clean. Hyphenated names stay one token
("LLaMA-7b", "LEVIR-CD"), except before the handful of modifiers that turn a
name into an adjective ("DETR-like", "BERT-based").
"""

import re

import spacy
from spacy.lang.xx import MultiLanguage
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

HANGUL = "\uac00-\ud7a3"
# Korean particles that glue onto the word before them. Hangul words ending in one
# are split ("정확도가" -> "정확도" + "가"). This also splits some words that merely
# end in such a syllable ("정밀도" -> "정밀" + "도"), harmlessly: gazetteer phrases are
# tokenized by the same rules, so "정밀도" still matches as the two tokens.
PARTICLES = (
    "에서는", "에서의", "에서도", "으로는", "으로도", "이라는", "이라고", "보다는",
    "에서", "으로", "에는", "에게", "로는", "로서", "로써", "와의", "과의", "와는", "과는", "보다",
    "까지", "부터", "처럼", "이나", "라는", "라고", "에도",
    "이", "가", "은", "는", "을", "를", "의", "에", "로", "와", "과", "도", "만",
)  # fmt: skip
HYPHEN_MODIFIERS = (
    "based", "like", "style", "trained", "generated", "sized", "level", "only", "free", "specific",
    "powered", "aware", "driven", "guided", "augmented", "enhanced", "tuned", "finetuned", "scale",
    "class", "type", "centric", "friendly", "compatible", "inspired", "derived", "labeled", "annotated",
)  # fmt: skip

# A Hangul run glued after a Latin letter, digit, %, closing bracket, quote or markdown.
HANGUL_SUFFIX = rf"(?<=[A-Za-z0-9%)\]}}'\"’”$*.+])[{HANGUL}]+$"
PARTICLE_SUFFIX = rf"(?<=[{HANGUL}])(?:{'|'.join(PARTICLES)})$"
INNER_BRACKET = r"(?<=[\w$*])[()\[\]](?=[\w$*])"
MODIFIER_HYPHEN = rf"-(?=(?:{'|'.join(HYPHEN_MODIFIERS)})$)"
# "x" after a number is a factor ("4.9x"), "배" its Korean form.
FACTOR = r"(?<=[0-9])[x×]$"
# Letters glued to a number are its unit or metric: "50.4AP", "24GB", "512px"; not when the
# digits follow a letter, as inside a name ("M3Former", "V2Net").
NUMBER_LETTERS = r"(?<=[0-9])(?<![A-Za-z][0-9])(?<![A-Za-z][0-9]{2})[A-Za-z]{2,}$"
# A sentence-final period after a capital or digit ("... Llama 3.1 70B."), which the defaults keep.
FINAL_PERIOD = r"(?<=[A-Z0-9%)\]])\.$"


def _infixes() -> list[str]:
    # spaCy's default splits every hyphen between letters; names need them whole.
    defaults = [rule for rule in MultiLanguage.Defaults.infixes if "(?:-|–|—|--|---|——|~)" not in rule]
    return [*defaults, INNER_BRACKET, MODIFIER_HYPHEN]


# Digest text has more distinct whitespace chunks than spaCy's default cache (10,000)
# holds; past it every chunk is split by regex again, about 20 times slower.
CACHE_SIZE = 200_000


SOURCE_TEXT = "digest_pipeline.source_text"

# spaCy peels prefixes and suffixes off a whitespace-free chunk one at a time, searching the
# rest of the chunk each time: quadratic in its length (8,000 "(" take seconds, not
# milliseconds). No word, number or URL in a digest is that long, so a chunk of LONG_CHUNK
# characters or more is cut into slices of CHUNK_SLICE, each tokenized on its own.
LONG_CHUNK = 256
CHUNK_SLICE = 64
LONG_RUN = re.compile(rf"(\S{{{LONG_CHUNK},}})\s*")
# A chunk of LONG_CHUNK characters holds a whole block of half that length at a multiple of it:
# blocks with some whitespace in each rule long chunks out at a fraction of LONG_RUN's cost
# (a fifth of the tokenizer's time, on every text).
BLOCK = LONG_CHUNK // 2
WHITESPACE = re.compile(r"\s")


def may_hold_long_chunk(text: str) -> bool:
    return any(
        WHITESPACE.search(text, start, start + BLOCK) is None
        for start in range(0, len(text) - BLOCK + 1, BLOCK)
    )


class TextKeepingTokenizer:
    """spaCy's Tokenizer that keeps each doc's input string in `doc.user_data`.

    Components search the text with regular expressions, and `doc.text` rebuilds it
    from the tokens on every access, which costs more than tokenizing it did.
    """

    def __init__(self, tokenizer: Tokenizer):
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        long_chunk = may_hold_long_chunk(text) and LONG_RUN.search(text) is not None
        doc = self._in_slices(text) if long_chunk else self.tokenizer(text)
        doc.user_data[SOURCE_TEXT] = text
        return doc

    def _in_slices(self, text: str) -> Doc:
        """Tokenize `text` with its long chunks cut into slices; the doc's text is unchanged."""
        pieces, start = [], 0
        for run in LONG_RUN.finditer(text):
            pieces.append(text[start : run.start()])
            cuts = range(run.start(), run.end(1), CHUNK_SLICE)
            pieces.extend(text[cut : min(cut + CHUNK_SLICE, run.end(1))] for cut in cuts)
            pieces[-1] += run.group()[len(run.group(1)) :]  # the whitespace after the chunk
            start = run.end()
        pieces.append(text[start:])
        return Doc.from_docs([self.tokenizer(piece) for piece in pieces if piece], ensure_whitespace=False)

    def pipe(self, texts, batch_size: int = 1000):
        return map(self, texts)

    def __getattr__(self, name: str):
        return getattr(self.tokenizer, name)


def source_text(doc: Doc) -> str:
    return doc.user_data.get(SOURCE_TEXT) or doc.text


class TokenTexts(dict):
    """A doc's token texts by index, each made on first use, and "" outside the doc: the
    components look at a few words around each candidate and metric, and spaCy builds a Token
    object for every access. A dict, so that reading a word again costs no Python call."""

    __slots__ = ("doc", "size")

    def __init__(self, doc: Doc):
        super().__init__()
        self.doc = doc
        self.size = len(doc)

    def __missing__(self, index: int) -> str:
        text = self[index] = self.doc[index].text if 0 <= index < self.size else ""
        return text


@spacy.registry.tokenizers("digest_pipeline.tokenizer.v1")
def create_digest_tokenizer(cache_size: int = CACHE_SIZE):
    def make_tokenizer(nlp):
        return TextKeepingTokenizer(make_rule_tokenizer(nlp, cache_size))

    return make_tokenizer


def make_rule_tokenizer(nlp, cache_size: int) -> Tokenizer:
    defaults = nlp.Defaults
    return Tokenizer(
        nlp.vocab,
        rules=dict(defaults.tokenizer_exceptions),
        prefix_search=compile_prefix_regex(defaults.prefixes).search,
        suffix_search=compile_suffix_regex(
            [HANGUL_SUFFIX, PARTICLE_SUFFIX, FACTOR, NUMBER_LETTERS, FINAL_PERIOD, *defaults.suffixes]
        ).search,
        infix_finditer=compile_infix_regex(_infixes()).finditer,
        token_match=defaults.token_match,
        url_match=defaults.url_match,
        max_cache_size=cache_size,
    )
