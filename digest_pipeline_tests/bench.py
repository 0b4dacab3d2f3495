"""Benchmarks that print figures: `python -m digest_pipeline_tests.bench SUITE [--words N] [--json]`.

extraction: the extractor's words per second over a corpus of digest texts (the seeds'
titles and sections, shuffled sentence by sentence into new texts until the corpus holds
--words words), beside spaCy's bare multi-language tokenizer on the same texts in the
same run.
sensor: the cost of one evaluation of the folder sensor over a folder of --files files:
the first tick (list and stat), the second (hash everything), a steady tick.
latency: `dagster dev` on a temporary folder; five digest files dropped one at a time,
seconds until each file's papers are in marts.papers, and their median.
queries: every example query of docs/analysts.md on the seeds' marts, milliseconds each
(median of 5 runs).
Timings are figures to read, not assertions.
"""

import argparse
import json
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

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


def variant(number: int) -> str:
    """The format-C sample with its arXiv ids and titles made unique to `number`."""
    text = ARXIV_SAMPLE.read_text(encoding="utf-8").replace(
        "arxiv.org/abs/2408.", f"arxiv.org/abs/{2500 + number}."
    )
    return text.replace("### ", f"### Variant {number}: ")


def sensor_benchmark(files: int) -> dict:
    from dagster import DagsterInstance, build_sensor_context

    from digest_pipeline.resources import DigestInput
    from digest_pipeline.sensors import digest_folder_sensor

    with tempfile.TemporaryDirectory() as folder:
        body = variant(0)
        for number in range(files):
            Path(folder, f"digest_{number:05d}.txt").write_text(
                body + f"\n<!-- {number} -->\n", encoding="utf-8"
            )
        cursor, figures = None, {"files": files}
        with DagsterInstance.ephemeral() as instance:
            for tick in ("first_tick_s", "second_tick_hashing_s", "steady_tick_s"):
                context = build_sensor_context(
                    cursor=cursor, instance=instance, resources={"digest_input": DigestInput(paths=[folder])}
                )
                started = time.perf_counter()
                digest_folder_sensor(context)
                figures[tick] = round(time.perf_counter() - started, 3)
                cursor = context.cursor
        figures["cursor_bytes"] = len(cursor)
    return figures


def latency_benchmark(drops: int = 5) -> dict:
    from digest_pipeline_tests.dagster_dev import count_papers, dagster_dev, wait_for

    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as root:  # the daemon may still be writing
        home, inbox = Path(root, "home"), Path(root, "inbox")
        home.mkdir()
        inbox.mkdir()
        database = Path(root, "digests.duckdb")
        latencies = []
        with dagster_dev(home, inbox, database):
            for number in range(1, drops + 1):
                expected = 12 * number
                Path(inbox, f"drop_{number}.txt").write_text(variant(number), encoding="utf-8")
                latencies.append(round(wait_for(lambda e=expected: count_papers(database) == e, 300), 1))
    return {"drops": drops, "seconds": latencies, "median_s": statistics.median(latencies)}


def queries_benchmark(runs: int = 5) -> dict:
    import duckdb

    from digest_pipeline_tests.test_analyst_docs import DOC, QUERY, build_seed_marts

    with tempfile.TemporaryDirectory() as folder:
        database = build_seed_marts(Path(folder) / "digests.duckdb").path
        figures = {}
        with duckdb.connect(str(database), read_only=True) as db:
            for number, match in enumerate(QUERY.finditer(DOC.read_text()), 1):
                timings = []
                for _ in range(runs):
                    started = time.perf_counter()
                    db.execute(match.group("sql")).fetchall()
                    timings.append((time.perf_counter() - started) * 1000)
                figures[f"query_{number:02d}_ms"] = round(statistics.median(timings), 2)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "suite", nargs="?", default="extraction", choices=["extraction", "sensor", "latency", "queries"]
    )
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.suite == "sensor":
        figures = sensor_benchmark(args.files)
    elif args.suite == "latency":
        figures = latency_benchmark()
    elif args.suite == "queries":
        figures = queries_benchmark()
    else:
        figures = extraction_benchmark(args.words)
    if args.json:
        print(json.dumps(figures))
        return
    for name, value in figures.items():
        print(f"{name:<30}{value:>14,}" if isinstance(value, int) else f"{name:<30}{value!s:>14}")


if __name__ == "__main__":
    main()
