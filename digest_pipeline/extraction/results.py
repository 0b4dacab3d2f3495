"""The extractor's result finder, a registered spaCy component.

`digest_results` reads metric values next to metric mentions (`results(doc)`), with unit,
and the dataset and model named around them, then finalises `doc.ents`.
"""

import re
from bisect import bisect_left, bisect_right

from spacy.language import Language
from spacy.tokens import Doc

from digest_pipeline.extraction.components import entities
from digest_pipeline.extraction.tokenizer import PARTICLES, TokenTexts, source_text

RESULTS = "digest_pipeline.results"


def results(doc: Doc) -> list[dict]:
    """The doc's results, once `digest_results` has run."""
    return doc.user_data.get(RESULTS, [])


# A number, with thousands separators ("1,327") and a percent glued on in LaTeX ("80\%") or
# Korean percentage points ("2.1%p"); not a version or a date ("1.2.3", "2024.09.15").
NUMBER = re.compile(r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(\\?%p?)?$")
UNITS = {"%": "%", "%p": "pt", "배": "x", "x": "x", "×": "x", "times": "x", "ms": "ms", "s": "s", "초": "s", "점": "pt", "points": "pt", "point": "pt", "percentage": "pt", "pp": "pt", "pt": "pt", "p": "pt"}  # fmt: skip
# Words after a number that make it a count, not a metric value.
COUNT_WORDS = {"entries", "samples", "pages", "images", "tokens", "parameters", "params", "hours", "epoch", "epochs", "layers", "layer", "round", "rounds", "shot", "shots", "examples", "papers", "languages", "tasks", "authors", "documents", "users", "items", "queries", "videos", "frames", "pairs", "words", "sentences", "classes", "categories", "steps", "iterations", "gpus", "gpu", "nodes", "resolution", "gb", "mb", "kb", "tb", "k", "m", "b", "g", "thousand", "million", "billion", "trillion"}  # fmt: skip
# Korean counters and ordinals, which come with particles glued on ("3단계로", "2번째").
KOREAN_COUNTERS = ("개", "명", "시간", "장", "편", "층", "건", "단계", "번째", "스텝", "만", "억", "천", "조")
# Words before a number that make it a setting, not a result ("resolution 224", "batch size 32").
SETTING_WORDS = {"resolution", "size", "sizes", "batch", "epoch", "epochs", "layer", "layers", "seed", "rank", "version", "top", "k", "n", "step", "steps", "length", "temperature", "길이", "크기", "온도", "해상도"}  # fmt: skip
# A bound a value sets, not one it reaches: "30 FPS or higher", "입력 길이 720 이상에서".
BOUND_AFTER_OR = {"higher", "more", "above", "greater", "less", "lower", "fewer", "below"}
KOREAN_BOUNDS = {"이상", "이하", "초과", "미만"}
# After a Korean bound, these make it a condition; "20%p 이상 높았습니다" and "90% 이상의 정확도" are results.
CONDITION_AFTER_BOUND = {"에서", "에서는", "인", "일", "으로", "로", "에"}
# Range marks: "68-71%" gives both ends the unit.
RANGE = {"-", "–", "~", "to"}
BOUNDARY = {".", ";", "!", "?", "。"}
# What may stand between two values of one metric ("from 31.6% to 15.8%", "31.61%에서 15.79%로").
CONNECTORS = {",", "to", "from", "and", "or", "vs", "vs.", "→", "->", ">", "(", ")", "에서", "로", "으로", "와", "과", "및", "각각", "~", "-"}  # fmt: skip
YEAR = re.compile(r"^(?:19|20)\d\d$")
DIGIT = re.compile(r"\d")
HANGUL_UNITS = {"배": "x", "점": "pt", "초": "s"}


def unit_of(token_text: str) -> str:
    """The unit a token after a number gives it; Korean units come with particles glued on ("배의")."""
    return UNITS.get(token_text.lower()) or UNITS.get(token_text) or HANGUL_UNITS.get(token_text[:1], "")


WINDOW = 12
# Words allowed between two values of one metric.
MAX_GAP = 6
# Words allowed between a value and the metric after it ("25% higher GPU throughput").
MAX_LEAD = 3
# Words between them that put the value in another phrase ("95% while keeping latency low",
# "91% at the same latency"); so does a Korean particle other than 의 (of): "10배인 문맥에서도
# 검색 정확도".
OTHER_PHRASE = {"while", "whereas", "but", "with", "without", "at", "under", "using", "keeping", "maintaining", "retaining", "preserving", "than", "over", "compared", "against", "despite", "which", "that", "where"} | (set(PARTICLES) - {"의"})  # fmt: skip


@Language.factory("digest_results")
def create_result_extractor(nlp: Language, name: str) -> "ResultExtractor":
    return ResultExtractor()


class ResultExtractor:
    """Metric values next to metric mentions: "F1: 92.18%", "NDCG@20 of 0.901", "58.5 mIoU",
    "PER가 31.61%에서 15.79%로", "4.9배"."""

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
        if not DIGIT.search(text):
            return doc
        words = TokenTexts(doc)
        # A dataset name ends a run of values, unless a Korean locative follows it; a model name
        # does not ("X의 42.7%보다").
        datasets = {
            start: (end, canonical) for start, end, *_, label, canonical in mentions if label == "DATASET"
        }
        # Numbers inside names are versions and sizes ("Claude 3.5 Sonnet", "Llama 3.1 8B").
        named = {
            i
            for start, end, *_, label, _ in mentions
            if label in ("DATASET", "MODEL")
            for i in range(start, end)
        }
        # "Recall at 10" names a cutoff as "Recall@10" does: the number is part of the name.
        named.update(end + 1 for _, end, *_ in metrics if words[end] == "at" and words[end + 1].isdigit())
        keys = None  # the dataset and model names results are keyed on, made at the first value
        sentences = Sentences(text)
        models = Models(mentions)
        # A value just before a metric is that metric's, not the previous one's ("59.5 F1 and 41.6 EM").
        # Looking for a digit in the text first spares reading the words before most metrics.
        leads = [
            self.leading(words, start, metrics[index - 1][1] if index else None, named)
            if DIGIT.search(text, metrics[index - 1][3] if index else 0, start_char)
            else []
            for index, (start, _, start_char, *_) in enumerate(metrics)
        ]
        reserved = {i for lead in leads for i, *_ in lead}
        claimed: set[int] = set()
        scored: set[int] = set()  # the metrics that have values
        scan = Scan(words, claimed, datasets, named, reserved, models)
        for index, (_, end, start_char, end_char, _, canonical) in enumerate(metrics):
            following = metrics[index + 1] if index + 1 < len(metrics) else None
            after_limit, after_char = (following[0], following[2]) if following else (len(doc), len(text))
            changes = CHANGE.search(text, end_char, after_char) is not None
            values, on = scan.values(range(end, after_limit), leads[index], changes)
            if not values:
                continue
            scored.add(index)
            if keys is None:
                keys = [
                    mention
                    for mention in mentions
                    if mention[4] != "METRIC"
                    and not trained_on(words, mention)
                    and not compared_with(words, mention)
                ]
                key_starts = [key[2] for key in keys]
            sentence = sentences.around(start_char)
            # The names before the sentence and in it: mentions are in text order.
            first, last = (bisect_left(key_starts, bound) for bound in sentence)
            before, in_sentence = keys[:first], keys[first:last]
            dataset = self.nearest(
                in_sentence, "DATASET", text, start_char, end_char, sentence
            ) or self.same_as_before(before, text, sentence)
            model = self.nearest(in_sentence, "MODEL", text, start_char, end_char, sentence)
            names = [canonical] * len(values)
            if RESPECTIVELY.search(text, *sentence):
                names = self.respective_metrics(words, metrics, index, scored, len(values)) or names
                on = on | self.respective_datasets(words, values, in_sentence, sentence)
            for (token_index, value, unit), metric in zip(values, names, strict=True):
                claimed.add(token_index)
                found.append(
                    {
                        "metric": metric,
                        "value": value,
                        "unit": unit,
                        "dataset": on.get(token_index, dataset),
                        "model": models.own(words, token_index) or model,
                        "sentence": text[sentence[0] : sentence[1]],
                    }
                )
        return doc

    @staticmethod
    def leading(
        words: TokenTexts, start: int, previous_end: int | None, named: set[int]
    ) -> list[tuple[int, float, str]]:
        """The values just before the metric at `start`: a number right before it ("58.5 mIoU")
        or, with its unit, at most MAX_LEAD words before it ("25% higher recall"), with the numbers
        joined to it ("82.3% and 83.9% top-1 accuracy"), but none that directly follows the
        previous metric ("F1 92.18 IoU")."""
        limit = 0 if previous_end is None else previous_end
        found = []
        between = 0  # words between the metric and the nearest number
        for i in range(start - 1, limit - 1, -1):
            text = words[i]
            number = NUMBER.match(text)
            value = value_at(words, i, number, named) if number else None
            if value is not None:
                if previous_end is not None and follows(words, previous_end, i):
                    break
                # Words apart, only a number with a unit is the metric's: a bare one is a label
                # or a count ("Table 3 shows accuracy", "after 3 rounds accuracy").
                if not (value[1] or between == 0):
                    break
                found.append((i, *value))
            elif unit_of(text) or (found and text.lower() in CONNECTORS):
                continue
            elif (
                found
                or text in BOUNDARY
                or text.lower() in CONNECTORS
                or text.lower() in OTHER_PHRASE
                or not text[0].isalnum()
            ):
                break
            elif not (i in named and i - 1 in named):  # a name is one word
                between += 1
                if between > MAX_LEAD:
                    break
        return found[::-1]

    @staticmethod
    def nearest(
        mentions: list[tuple],
        label: str,
        text: str,
        start_char: int,
        end_char: int,
        sentence: tuple[int, int],
    ) -> str | None:
        """The closest mention of `label` in the metric's sentence, preferring one before it; one
        after it only in its own clause (context before a metric carries over: "on RMCBench is
        28.71%; ChatGPT-4 has a refusal rate of 35.73%")."""
        best = None
        for *_, ent_start, ent_end, ent_label, canonical in mentions:
            if ent_label != label or not (sentence[0] <= ent_start < sentence[1]):
                continue
            before = ent_end <= start_char
            if not before and CLAUSE_BREAK.search(text, end_char, ent_start):
                continue
            distance = start_char - ent_end if before else 2 * (ent_start - end_char)
            if best is None or distance < best[0]:
                best = (distance, canonical)
        return best[1] if best else None

    @staticmethod
    def same_as_before(mentions: list[tuple], text: str, sentence: tuple[int, int]) -> str | None:
        """The one dataset named before the sentence, when the sentence points back to it
        ("on the same test set", "동일한 테스트 세트에서"); context is not carried over otherwise."""
        if not SAME.search(text, sentence[0], sentence[1]):
            return None
        earlier = {
            canonical
            for *_, ent_start, _, label, canonical in mentions
            if label == "DATASET" and ent_start < sentence[0]
        }
        return earlier.pop() if len(earlier) == 1 else None

    @staticmethod
    def respective_metrics(
        words: TokenTexts, metrics: list[tuple], index: int, scored: set[int], count: int
    ) -> list[str] | None:
        """The metrics a "respectively" run of `count` values gives its values to in order: the
        one at `index` and those joined to it before that have no values of their own ("accuracy
        and F1 of 88.0% and 85.5%, respectively", "정밀도와 재현율은 각각 91.2%, 87.5%")."""
        first = index
        while (
            index - first + 1 < count
            and first
            and first - 1 not in scored
            and metrics[first][0] - metrics[first - 1][1] <= 2
            and all(words[k].lower() in CONNECTORS for k in range(metrics[first - 1][1], metrics[first][0]))
        ):
            first -= 1
        if count < 2 or index - first + 1 != count:
            return None
        return [metric[5] for metric in metrics[first : index + 1]]

    @staticmethod
    def respective_datasets(
        words: TokenTexts,
        values: list[tuple[int, float, str]],
        mentions: list[tuple],
        sentence: tuple[int, int],
    ) -> dict[int, str]:
        """A "respectively" run of values paired in order with as many datasets named before
        it in the sentence ("On A and B, it reaches 68.2% and 79.5%, respectively", "A와 B에서
        각각 70.9%, 82.6%"), or else after it with no model named between ("0.91 and 0.88 on A
        and B, respectively"); a "각각" inside the run starts the paired values."""
        marks = [i for i in range(values[0][0], values[-1][0]) if words[i] == "각각"]
        group = [value for value in values if value[0] > marks[0]] if marks else values
        before: list[str] = []
        after: list[str] = []
        for start, _, ent_start, _, label, canonical in mentions:
            if not sentence[0] <= ent_start < sentence[1]:
                continue
            if label == "DATASET" and start < group[0][0] and canonical not in before:
                before.append(canonical)
            elif start > group[-1][0]:
                if label == "MODEL":
                    break
                if label == "DATASET" and canonical not in after:
                    after.append(canonical)
        for datasets in (before, after):
            # As many values as datasets, or that many for each of several models ("각각 83.0%,
            # 72.5%, 79.0% ... GCN(81.5%, 70.3%, 79.0%)").
            if len(datasets) > 1 and len(group) % len(datasets) == 0:
                return {i: datasets[k % len(datasets)] for k, (i, *_) in enumerate(group)}
        return {}


class Scan:
    """Runs of values read from a metric's neighbourhood."""

    __slots__ = ("claimed", "datasets", "models", "named", "reserved", "words")

    def __init__(
        self,
        words: TokenTexts,
        claimed: set[int],
        datasets: dict[int, tuple[int, str]],
        named: set[int],
        reserved: set[int],
        models: "Models",
    ):
        self.words = words
        self.claimed = claimed
        self.datasets = datasets
        self.named = named
        self.reserved = reserved
        self.models = models

    def values(
        self, indices: range, lead: list[tuple[int, float, str]], changes: bool
    ) -> tuple[list[tuple[int, float, str]], dict[int, str]]:
        """Numbers in `indices` order after the `lead` values: the first within WINDOW words
        (when there is no lead), then those that follow within a few words ("31.61%에서
        15.79%로", "47.3%를 달성하여 YOLOv8-S의 42.7%보다") or in a parallel clause, or that
        state the change the values make (`changes` tells whether a change is stated in
        `indices`), up to a sentence end, a dataset name or a value that leads the next metric. A dataset name with
        a Korean locative after it does not end the run: the values after it are on it
        ("CIFAR-100에서 76.3%"), and the second result maps their token indices to its name."""
        words = self.words
        found = list(lead)
        on: dict[int, str] = {}
        dataset = None
        gap = 0
        parallel = None  # whether a parallel clause could follow, once past MAX_GAP words
        for steps, i in enumerate(indices):
            text = words[i]
            if i in self.datasets and found:
                end, dataset = self.datasets[i]
                if words[end] not in LOCATIVES:
                    break
            if text in BOUNDARY or i in self.reserved or (not found and steps >= WINDOW):
                break
            if gap > MAX_GAP and parallel is None:
                parallel = changes or self.models.named_between(found[-1][0], indices.stop)
            if gap > MAX_GAP and not parallel:
                break
            number = NUMBER.match(text)
            value = value_at(words, i, number, self.named) if number and i not in self.claimed else None
            if value is not None:
                change = change_word(words, i) if value[1] == "%" else None
                if change is not None and words[change + 1].lower() in ("in", "of"):
                    break  # the change of another quantity ("a 30% reduction in serving cost")
                # After a value before the metric, only parallel values and changes follow
                # ("(+2.1 absolute nDCG@10) and multi-task trained (+3.2)").
                if lead and value[1] != lead[0][2] and text[0] not in "+-" and change is None:
                    break
                # Past a few words, only a parallel clause's value does, one stated for a model in
                # the same unit ("A는 ANLS 0.812로 가장 높았고, ... B가 0.764로"), or a change
                # ("53.4 F1 on the test split, which is a 9.5% gain over the baseline").
                if (
                    gap > MAX_GAP
                    and change is None
                    and not (value[1] == found[-1][2] and self.models.own(words, i))
                ):
                    break
                found.append((i, *value))
                if dataset:
                    on[i] = dataset
                gap = 0
            elif found and number and i not in self.named:
                break  # a count or setting ends the run ("resolution 224 and 384")
            elif found and not (text.lower() in CONNECTORS or unit_of(text) or i in self.named):
                gap += 1
        found.sort()
        for j in range(len(found) - 1):
            (i, value, unit), (later, _, later_unit) = found[j], found[j + 1]
            if not unit and later == i + 2 and words[i + 1].lower() in RANGE:
                found[j] = (i, value, later_unit)
        return found, on


def is_korean_counter(word: str) -> bool:
    return any(
        word.startswith(counter) and (word == counter or word[len(counter) :] in PARTICLES)
        for counter in KOREAN_COUNTERS
    )


def value_at(words: TokenTexts, i: int, number: re.Match, named: set[int]) -> tuple[float, str] | None:
    """The value and unit of the `number` at `i`, or None when it is no metric value: a count,
    a setting, a year, a cutoff, a proportion or part of a name."""
    if i in named:
        return None
    following = words[i + 1]
    preceding = words[i - 1].lower()
    if (
        following.lower() in COUNT_WORDS
        or is_korean_counter(following)
        or preceding in SETTING_WORDS
        # Korean words the tokenizer splits at a particle-like last syllable ("온" + "도").
        or words[i - 2] + preceding in SETTING_WORDS
        or YEAR.match(words[i])
        or is_bound(words, i)
    ):
        return None
    unit = UNITS[number[2].lstrip("\\")] if number[2] else unit_of(following)
    after_unit = words[i + 1] if number[2] else words[i + 2]
    # A proportion of something ("with 35% of the compute").
    if unit == "%" and after_unit.lower() == "of":
        return None
    # A gain or a change "by" a value with no unit is in points ("(+2.2)", "improves F1 by
    # 3.42"); a minus sign is as often an absolute value ("a correlation of -0.42").
    if not unit and (number[1][0] == "+" or preceding == "by"):
        unit = "pt"
    return float(number[1].replace(",", "")), unit


def is_bound(words: TokenTexts, i: int) -> bool:
    """Whether the number at `i`, with its unit or metric, is a bound ("30 FPS or higher")."""
    for k in (i + 1, i + 2):
        if words[k] == "or" and words[k + 1].lower() in BOUND_AFTER_OR:
            return True
        if words[k] in KOREAN_BOUNDS and words[k + 1] in CONDITION_AFTER_BOUND:
            return True
    return False


# A percentage stated as a change: "a 9.52% performance gain", "12% relative reduction", "14% 감소한".
CHANGE_WORDS = ("gain", "improvement", "increase", "reduction", "decrease", "drop", "boost", "향상", "개선", "감소", "증가", "하락")  # fmt: skip
CHANGE_QUALIFIERS = {"relative", "absolute", "performance", "성능"}
CHANGE = re.compile(rf"%\s*(?:(?:{'|'.join(CHANGE_QUALIFIERS)})\s*)?(?:{'|'.join(CHANGE_WORDS)})")


def change_word(words: TokenTexts, i: int) -> int | None:
    """The index of the word that states the percentage at `i` as a change, if one does."""
    k = i + 1 if words[i].endswith("%") else i + 2  # after the "%", glued on or not
    if words[k].lower() in CHANGE_QUALIFIERS:
        k += 1
    return k if words[k].lower().startswith(CHANGE_WORDS) else None


def follows(words: TokenTexts, metric_end: int, i: int) -> bool:
    """Whether the number at `i` directly follows the metric ending at `metric_end` ("F1 92.18",
    "F1 score: 92.18"), so that it is that metric's value."""
    return i - metric_end <= 2 and not any(
        words[k] in BOUNDARY or words[k].lower() in CONNECTORS for k in range(metric_end, i)
    )


# Words before or after a dataset name that make it the training data, not where a result is
# reported ("pretrained on ImageNet-22K", "MSMARCO-trained").
TRAINED = {"trained", "pretrained", "pre-trained", "finetuned", "fine-tuned", "pretraining", "pre-training"}


def trained_on(words: TokenTexts, mention: tuple) -> bool:
    start, end, *_, label, _ = mention
    if label != "DATASET":
        return False
    before = {words[i].lower() for i in range(max(start - 3, 0), start)}
    after = words[end + 1].lower() if words[end] == "-" else ""
    return not before.isdisjoint(TRAINED) or after in TRAINED


# Words before or after a model name that make it the baseline a result is compared with,
# not the model it belongs to ("than FasterNet", "outperforms GPT-4", "GAT 대비", "GPT-4o보다").
BASELINE_BEFORE = {"than", "over", "vs", "vs.", "versus", "against", "outperforms", "outperforming", "surpasses", "surpassing", "beats", "beating"}  # fmt: skip
BASELINE_AFTER = {"대비", "보다", "보다는", "에"}


def compared_with(words: TokenTexts, mention: tuple) -> bool:
    start, end, *_, label, _ = mention
    if label != "MODEL":
        return False
    before = words[start - 1].lower()
    after = words[end]
    # "에" only as in "X에 비해" (compared with X).
    return before in BASELINE_BEFORE or (
        after in BASELINE_AFTER and (after != "에" or words[end + 1].startswith("비해"))
    )


# What joins a value to the model named right before it.
OWNER_MARKS = {"(", "의", "는", "은", "가", "이", ":"}


class Models:
    """The model a value is stated for right beside it: "GPT-4o(78.6%)", "YOLOv8-S의 42.7%",
    "Llama 3.1 70B는 81.5%", "65% with ChatGPT"."""

    __slots__ = ("by_end", "by_start", "starts")

    def __init__(self, mentions: list[tuple]):
        self.by_end = {end: canonical for _, end, *_, label, canonical in mentions if label == "MODEL"}
        self.by_start = {start: canonical for start, _, *_, label, canonical in mentions if label == "MODEL"}
        self.starts = sorted(self.by_start)

    def named_between(self, start: int, stop: int) -> bool:
        """Whether a model is named in tokens `start` to `stop` (a parallel clause's value
        could follow), without reading them."""
        k = bisect_left(self.starts, start)
        return k < len(self.starts) and self.starts[k] < stop

    def own(self, words: TokenTexts, i: int) -> str | None:
        if words[i - 1] in OWNER_MARKS and i - 1 in self.by_end:
            return self.by_end[i - 1]
        # After the value and its unit.
        for k in (i + 1, i + 2):
            if words[k] == "with" and k + 1 in self.by_start:
                return self.by_start[k + 1]
        return None


# Where one clause of a sentence ends and another begins: names after it are the next clause's
# ("90.2% accuracy, and on SQuAD an F1 of 89.4", "0.954 on Reddit, while ... 0.600 on PPI").
CLAUSE_BREAK = re.compile(r",\s+(?:and|while|whereas|but)\b|;|\b(?:while|whereas)\b")
RESPECTIVELY = re.compile(r"\brespectively\b|각각", re.IGNORECASE)
# Korean particles after a dataset name that put the values after it on it ("B에서 76.3%").
LOCATIVES = {"에서", "에서는", "에서도", "의"}
# An explicit back-reference to the dataset named earlier ("the same test set", "같은 조건에서").
SAME = re.compile(
    r"\bsame (?:test|evaluation|benchmark|dataset|data|setting|condition)|(?:동일한|같은) ?(?:테스트|평가|벤치마크|데이터|조건|설정|환경)"
)


# The whitespace after a sentence's final mark (a group: a lookbehind at every position took
# twice as long).
SENTENCE_END = re.compile(r"[.!?。](\s+)")


# In a text without sentence ends (a flattened table) every metric's sentence would be the
# whole text, searched once per metric and copied into each result: a sentence is cut to this
# many characters either side of its metric.
SENTENCE_REACH = 500


class Sentences:
    """The sentence around an offset of a text whose sentence ends are found once."""

    __slots__ = ("ends", "starts")

    def __init__(self, text: str):
        breaks = list(SENTENCE_END.finditer(text))
        self.starts = [0, *(match.end(1) for match in breaks)]
        self.ends = [*(match.start(1) for match in breaks), len(text)]

    def around(self, offset: int) -> tuple[int, int]:
        k = bisect_right(self.starts, offset) - 1
        return max(self.starts[k], offset - SENTENCE_REACH), min(self.ends[k], offset + SENTENCE_REACH)
