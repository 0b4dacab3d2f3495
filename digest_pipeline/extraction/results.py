"""The extractor's result finder, a registered spaCy component.

`digest_results` reads metric values next to metric mentions (`results(doc)`), with unit,
and the dataset and model named around them, then finalises `doc.ents`.
"""

import re

from spacy.language import Language
from spacy.tokens import Doc

from digest_pipeline.extraction.components import entities
from digest_pipeline.extraction.tokenizer import source_text

RESULTS = "digest_pipeline.results"


def results(doc: Doc) -> list[dict]:
    """The doc's results, once `digest_results` has run."""
    return doc.user_data.get(RESULTS, [])


NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)*$")
UNITS = {"%": "%", "배": "x", "x": "x", "×": "x", "times": "x", "ms": "ms", "s": "s", "초": "s", "점": "pt", "points": "pt", "pt": "pt", "p": "pt", "%p": "pt"}  # fmt: skip
# Words after a number that make it a count, not a metric value.
COUNT_WORDS = {"entries", "samples", "pages", "images", "tokens", "parameters", "params", "hours", "epochs", "layers", "examples", "papers", "languages", "tasks", "authors", "documents", "users", "items", "queries", "videos", "frames", "pairs", "words", "sentences", "classes", "categories", "steps", "iterations", "gpus", "gpu", "nodes", "resolution", "gb", "mb", "kb", "tb", "개", "개의", "명", "시간", "장", "편", "층", "개국", "건"}  # fmt: skip
# Words before a number that make it a setting, not a result ("resolution 224", "batch size 32").
SETTING_WORDS = {"resolution", "size", "sizes", "batch", "epoch", "epochs", "layer", "layers", "seed", "rank", "version", "top", "k", "n", "step", "steps"}  # fmt: skip
# Range marks: "68-71%" gives both ends the unit.
RANGE = {"-", "–", "~", "to"}
BOUNDARY = {".", ";", "!", "?", "。"}
# What may stand between two values of one metric ("from 31.6% to 15.8%", "31.61%에서 15.79%로").
CONNECTORS = {",", "to", "from", "and", "or", "vs", "vs.", "→", "->", "(", ")", "에서", "로", "으로", "와", "과", "및", "각각", "~", "-"}  # fmt: skip
YEAR = re.compile(r"^(?:19|20)\d\d$")
HANGUL_UNITS = {"배": "x", "점": "pt", "초": "s"}


def unit_of(token_text: str) -> str:
    """The unit a token after a number gives it; Korean units come with particles glued on ("배의")."""
    return UNITS.get(token_text.lower()) or UNITS.get(token_text) or HANGUL_UNITS.get(token_text[:1], "")


WINDOW = 12
# Words allowed between two values of one metric.
MAX_GAP = 6


@Language.factory("digest_results")
def create_result_extractor(nlp: Language, name: str) -> "ResultExtractor":
    return ResultExtractor()


class ResultExtractor:
    """Metric values next to metric mentions: "F1: 92.18%", "NDCG@20 of 0.901", "PER가 31.61%에서 15.79%로", "4.9배"."""

    def __call__(self, doc: Doc) -> Doc:
        # Other tokens keep their unset entity tag: setting each to "outside" took five times
        # as long, and `doc.ents` reads the same either way.
        doc.set_ents(entities(doc), default="unmodified")
        return self.find(doc)

    def find(self, doc: Doc) -> Doc:
        """Results only, without setting `doc.ents` (a pass over the doc that `extract`,
        reading `entities(doc)`, does not need)."""
        ents = entities(doc)
        found: list[dict] = []
        doc.user_data[RESULTS] = found
        # Plain tuples and strings: spaCy builds a new Token or reads a Span property through
        # the string store on every access, which cost more than the search itself.
        mentions = [
            (ent.start, ent.end, ent.start_char, ent.end_char, ent.label_, ent.kb_id_) for ent in ents
        ]
        metrics = [mention for mention in mentions if mention[4] == "METRIC"]
        if not metrics:
            return doc
        text = source_text(doc)
        words = TokenTexts(doc)
        # A dataset name ends a run of values; a model name does not ("X의 42.7%보다").
        datasets = {
            i for start, end, *_, label, _ in mentions if label == "DATASET" for i in range(start, end)
        }
        claimed: set[int] = set()
        for index, (start, end, start_char, end_char, _, canonical) in enumerate(metrics):
            after_limit = metrics[index + 1][0] if index + 1 < len(metrics) else len(doc)
            values = self.values(words, range(end, min(after_limit, end + WINDOW)), claimed, datasets)
            if not values:
                before_limit = metrics[index - 1][1] if index else 0
                values = self.values(
                    words, range(start - 1, max(before_limit, start - WINDOW) - 1, -1), claimed, datasets
                )
            if not values:
                continue
            sentence = sentence_bounds(text, start_char)
            # Else the dataset named last in an earlier sentence ("On X, ... . It reaches 40%").
            dataset = self.nearest(mentions, "DATASET", start_char, end_char, sentence) or self.nearest(
                mentions, "DATASET", start_char, end_char, (0, sentence[0])
            )
            model = self.nearest(mentions, "MODEL", start_char, end_char, sentence)
            for token_index, value, unit in values:
                claimed.add(token_index)
                found.append(
                    {
                        "metric": canonical,
                        "value": value,
                        "unit": unit,
                        "dataset": dataset,
                        "model": model,
                        "sentence": text[sentence[0] : sentence[1]],
                    }
                )
        return doc

    @staticmethod
    def values(
        words: "TokenTexts", indices: range, claimed: set[int], datasets: set[int]
    ) -> list[tuple[int, float, str]]:
        """Numbers in `indices` order: the first within the window, then those that follow
        within a few words ("31.61%에서 15.79%로", "47.3%를 달성하여 YOLOv8-S의 42.7%보다"),
        up to a sentence end or a dataset name."""
        found = []
        gap = 0
        for i in indices:
            text = words[i]
            if text in BOUNDARY or (i in datasets and found) or gap > MAX_GAP:
                break
            if NUMBER.match(text) and i not in claimed:
                following = words[i + 1] if i + 1 < len(words) else ""
                preceding = words[i - 1].lower() if i else ""
                if following.lower() in COUNT_WORDS or preceding in SETTING_WORDS or YEAR.match(text):
                    continue
                found.append((i, float(text.replace(",", "")), unit_of(following)))
                gap = 0
            elif found and not (text.lower() in CONNECTORS or unit_of(text)):
                gap += 1
        found.sort()
        for j in range(len(found) - 1):
            (i, value, unit), (later, _, later_unit) = found[j], found[j + 1]
            if not unit and later == i + 2 and words[i + 1].lower() in RANGE:
                found[j] = (i, value, later_unit)
        return found

    @staticmethod
    def nearest(
        mentions: list[tuple], label: str, start_char: int, end_char: int, sentence: tuple[int, int]
    ) -> str | None:
        """The closest mention of `label` in the metric's sentence, preferring one before it."""
        best = None
        for *_, ent_start, ent_end, ent_label, canonical in mentions:
            if ent_label != label or not (sentence[0] <= ent_start < sentence[1]):
                continue
            distance = start_char - ent_end if ent_end <= start_char else 2 * (ent_start - end_char)
            if best is None or distance < best[0]:
                best = (distance, canonical)
        return best[1] if best else None


class TokenTexts:
    """A doc's token texts, each made on first use: results look at a few words around each
    metric, and spaCy builds a Token object for every access."""

    __slots__ = ("doc", "texts")

    def __init__(self, doc: Doc):
        self.doc = doc
        self.texts: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.doc)

    def __getitem__(self, index: int) -> str:
        text = self.texts.get(index)
        if text is None:
            text = self.texts[index] = self.doc[index].text
        return text


SENTENCE_END = re.compile(r"(?<=[.!?。])\s+")


def sentence_bounds(text: str, offset: int) -> tuple[int, int]:
    start = 0
    for match in SENTENCE_END.finditer(text, 0, offset):
        start = match.end()
    end_match = SENTENCE_END.search(text, offset)
    return start, end_match.start() if end_match else len(text)
