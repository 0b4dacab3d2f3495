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
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

HANGUL = "\uac00-\ud7a3"
# Korean particles and endings that glue onto a preceding word. Used to split
# Hangul words that the gazetteers know ("정확도가" -> "정확도" + "가").
PARTICLES = (
    "이", "가", "은", "는", "을", "를", "의", "에", "에서", "에서는", "에서의", "에는", "에게", "로", "으로",
    "로는", "으로는", "로서", "로써", "와", "과", "와의", "과의", "와는", "과는", "도", "만", "보다", "보다는",
    "까지", "부터", "처럼", "이나", "나", "이며", "이고", "이다", "입니다", "이라는", "라는", "란", "이란",
    "에서도", "에도", "으로도", "로도", "을를", "에서만", "이라고", "라고", "인", "적", "적인", "면", "이면",
)  # fmt: skip
HYPHEN_MODIFIERS = (
    "based", "like", "style", "trained", "generated", "sized", "level", "only", "free", "specific",
    "powered", "aware", "driven", "guided", "augmented", "enhanced", "tuned", "finetuned", "scale",
    "class", "type", "centric", "friendly", "compatible", "inspired", "derived", "labeled", "annotated",
)  # fmt: skip

# A Hangul run glued after a Latin letter, digit, %, closing bracket, quote or markdown.
HANGUL_SUFFIX = rf"(?<=[A-Za-z0-9%)\]}}'\"’”$*.+])[{HANGUL}]+$"
INNER_BRACKET = r"(?<=[\w$*])[()\[\]](?=[\w$*])"
MODIFIER_HYPHEN = rf"-(?=(?:{'|'.join(HYPHEN_MODIFIERS)})$)"
# "x" after a number is a factor ("4.9x"), "배" its Korean form.
FACTOR = r"(?<=[0-9])[x×]$"
# A sentence-final period after a capital or digit ("... Llama 3.1 70B."), which the defaults keep.
FINAL_PERIOD = r"(?<=[A-Z0-9%)\]])\.$"


def _infixes() -> list[str]:
    # spaCy's default splits every hyphen between letters; names need them whole.
    defaults = [rule for rule in MultiLanguage.Defaults.infixes if "(?:-|–|—|--|---|——|~)" not in rule]
    return [*defaults, INNER_BRACKET, MODIFIER_HYPHEN]


@spacy.registry.tokenizers("digest_pipeline.tokenizer.v1")
def create_digest_tokenizer():
    def make_tokenizer(nlp):
        defaults = nlp.Defaults
        return Tokenizer(
            nlp.vocab,
            rules=dict(defaults.tokenizer_exceptions),
            prefix_search=compile_prefix_regex(defaults.prefixes).search,
            suffix_search=compile_suffix_regex(
                [HANGUL_SUFFIX, FACTOR, FINAL_PERIOD, *defaults.suffixes]
            ).search,
            infix_finditer=compile_infix_regex(_infixes()).finditer,
            token_match=defaults.token_match,
            url_match=defaults.url_match,
        )

    return make_tokenizer


def add_particle_exceptions(tokenizer: Tokenizer, words: set[str]) -> None:
    """Teach the tokenizer to split particles off these Hangul words (the gazetteers' Korean terms)."""
    for word in words:
        if not re.search(f"[{HANGUL}]$", word):
            continue
        for particle in PARTICLES:
            tokenizer.add_special_case(word + particle, [{"ORTH": word}, {"ORTH": particle}])
