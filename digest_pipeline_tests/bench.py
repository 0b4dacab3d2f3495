"""Benchmarks that print figures: `python -m digest_pipeline_tests.bench [extraction] [--words N] [--json]`.

extraction: the extractor's words per second over a corpus of digest texts (the seeds'
titles and sections, shuffled sentence by sentence into new texts until the corpus holds
--words words), beside spaCy's bare multi-language tokenizer on the same texts in the
same run. Timings are figures to read, not assertions.
"""

import argparse
import json
import random
import re
import time

import spacy

from digest_pipeline.extraction import build_extractor
from digest_pipeline.sources import find_digest_files
from digest_pipeline.tables import parse_files
from digest_pipeline_tests.conftest import ARXIV_SAMPLE, SEEDS

SENTENCE = re.compile(r"(?<=[.!?])\s+")


def digest_corpus(words: int, seed: int = 7) -> list[str]:
    """Texts of about section length, built by shuffling real digest sentences."""
    tables = parse_files(find_digest_files([SEEDS, ARXIV_SAMPLE]))
    texts = tables["paper_sections"]["text"].to_list() + tables["paper_appearances"]["title"].to_list()
    sentences = [sentence for text in texts for sentence in SENTENCE.split(text) if sentence]
    rng = random.Random(seed)
    corpus, total = [], 0
    while total < words:
        text = " ".join(rng.sample(sentences, k=rng.randint(2, 6)))
        corpus.append(text)
        total += len(text.split())
    return corpus


def words_per_second(run, texts: list[str], word_count: int) -> float:
    started = time.perf_counter()
    run(texts)
    return word_count / (time.perf_counter() - started)


def extraction_benchmark(words: int) -> dict:
    texts = digest_corpus(words)
    word_count = sum(len(text.split()) for text in texts)
    bare = spacy.blank("xx").tokenizer
    extractor = build_extractor()
    list(extractor.pipe(texts[:200]))  # warm-up: matcher caches, lazy imports
    tokenizer_rate = words_per_second(lambda batch: [bare(text) for text in batch], texts, word_count)
    extractor_rate = words_per_second(
        lambda batch: list(extractor.pipe(batch, batch_size=256)), texts, word_count
    )
    return {
        "texts": len(texts),
        "words": word_count,
        "bare_tokenizer_words_per_s": round(tokenizer_rate),
        "extractor_words_per_s": round(extractor_rate),
        "ratio": round(extractor_rate / tokenizer_rate, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("suite", nargs="?", default="extraction", choices=["extraction"])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = extraction_benchmark(args.words)
    if args.json:
        print(json.dumps(figures))
        return
    for name, value in figures.items():
        print(f"{name:<30}{value:>14,}" if isinstance(value, int) else f"{name:<30}{value:>14}")


if __name__ == "__main__":
    main()
