"""Benchmarks that print figures: `python -m digest_pipeline_tests.bench SUITE [--words N] [--json [FILE]]`.

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
all [--quick]: issue #6's figures on a synthetic corpus (digest_pipeline_tests/corpus.py) in a
temporary folder: parse throughput per format; the extraction figures above; wall time and
peak memory (RSS of the whole process tree) of `digest-pipeline ingest` into a fresh database
for 10, 100 and 1,000 files; the cost of ingesting one file more at 10 and at 1,000; the analyst
queries on the 1,000-file marts; import costs; the seeds job beside a trivial three-asset Dagster
job. A table with the targets met or missed; --json FILE writes the figures. Full mode takes
minutes; --quick uses tiny sizes and runs in about a minute.
Timings are figures to read, not assertions.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import spacy

from digest_pipeline.extraction import build_extractor, freeze_long_lived_objects
from digest_pipeline.sources import find_digest_files
from digest_pipeline.tables import parse_files
from digest_pipeline_tests.conftest import ARXIV_SAMPLE, SEEDS
from digest_pipeline_tests.corpus import FORMATS, SENTENCE, write_corpus, write_digest

# The console script installed beside this interpreter.
CLI = Path(sys.executable).with_name("digest-pipeline")


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


def extraction_benchmark(words: int, repeats: int = 3) -> dict:
    texts = digest_corpus(words)
    word_count = sum(len(text.split()) for text in texts)
    bare = spacy.blank("xx").tokenizer
    extractor = build_extractor()
    list(extractor.pipe(texts[:200]))  # warm-up: matcher caches, lazy imports
    freeze_long_lived_objects()  # as the pipeline's extraction step does
    # Alternate the two and keep each one's best run: on a shared 2-core machine a burst of
    # other work during one run would otherwise move the ratio by a third.
    tokenizer_rate = extractor_rate = 0.0
    for _ in range(repeats):
        tokenizer_rate = max(
            tokenizer_rate, words_per_second(lambda batch: [bare(text) for text in batch], texts, word_count)
        )
        extractor_rate = max(
            extractor_rate,
            words_per_second(lambda batch: list(extractor.pipe(batch, batch_size=256)), texts, word_count),
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

    from digest_pipeline.resources import DigestInput, WarehouseResource
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
                    cursor=cursor,
                    instance=instance,
                    resources={
                        "digest_input": DigestInput(paths=[folder]),
                        # Never written: the sensor only looks for the working file beside it.
                        "warehouse": WarehouseResource(database=str(Path(folder).parent / "bench.duckdb")),
                    },
                )
                started = time.perf_counter()
                result = digest_folder_sensor(context)
                figures[tick] = round(time.perf_counter() - started, 3)
                cursor = result.cursor
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


def query_latencies(database: Path, runs: int = 5) -> dict:
    """Milliseconds (median of `runs`) of every query of docs/analysts.md, on a read-only connection."""
    import duckdb

    from digest_pipeline_tests.test_analyst_docs import DOC, QUERY

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


def queries_benchmark(runs: int = 5) -> dict:
    from digest_pipeline_tests.test_analyst_docs import build_seed_marts

    with tempfile.TemporaryDirectory() as folder:
        return query_latencies(build_seed_marts(Path(folder) / "digests.duckdb").path, runs)


FLOOR_SCRIPT = """
from dagster import Definitions, asset, define_asset_job, in_process_executor

@asset
def first():
    return 1

@asset
def second(first):
    return first + 1

@asset
def third(second):
    return second + 1

job = define_asset_job("floor", executor_def=in_process_executor)
Definitions(assets=[first, second, third], jobs=[job]).resolve_job_def("floor").execute_in_process()
"""
SAMPLE_INTERVAL_S = 0.05


@dataclass(frozen=True)
class Scale:
    """Sizes of one `all` run: full, or tiny enough for a test."""

    ingest_sizes: tuple[int, ...]  # fresh-database ingests; the largest also feeds the query latencies
    one_more_at: tuple[int, int]  # (small, large): folders that get one more file
    parse_files: int
    words: int
    repeats: int  # subprocess timings of the fixed cost: the median of this many


FULL = Scale(ingest_sizes=(10, 100, 1000), one_more_at=(10, 1000), parse_files=60, words=1_000_000, repeats=3)
# Two ingest runs only (one fresh, one with a file more): each costs several seconds of imports
# and Dagster set-up. With one size the one-more-file ratio is 1 by construction.
QUICK = Scale(ingest_sizes=(3,), one_more_at=(3, 3), parse_files=6, words=100_000, repeats=1)


def subprocess_env() -> dict[str, str]:
    """Without DAGSTER_HOME the CLI uses an ephemeral instance: runs leave nothing behind."""
    return {name: value for name, value in os.environ.items() if name != "DAGSTER_HOME"}


def measure(command: list[str]) -> tuple[float, int]:
    """Wall seconds of `command`, and its peak memory: RSS summed over the process and all its
    descendants (the extraction pool's workers), sampled every SAMPLE_INTERVAL_S."""
    # Output goes to a file, not a pipe: nobody reads a pipe while we sample, and a full one blocks.
    with tempfile.TemporaryFile("w+") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=subprocess_env(), stdout=output, stderr=subprocess.STDOUT)
        peak = 0
        watched = psutil.Process(process.pid)
        while process.poll() is None:
            try:
                tree = [watched, *watched.children(recursive=True)]
                peak = max(peak, sum(member.memory_info().rss for member in tree))
            except psutil.Error:  # a process ended between listing and reading it
                pass
            time.sleep(SAMPLE_INTERVAL_S)
        elapsed = time.perf_counter() - started
        if process.returncode != 0:
            output.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{output.read()[-3000:]}")
    return elapsed, peak


def ingest(folder: Path, database: Path) -> tuple[float, int]:
    return measure([str(CLI), "ingest", str(folder), "--db", str(database)])


def python_seconds(code: str, repeats: int) -> float:
    return statistics.median(measure([sys.executable, "-c", code])[0] for _ in range(repeats))


def parse_throughput(folder: Path) -> dict:
    """MB/s and papers/s of parse_files, over the corpus files of each format."""
    figures = {}
    for name in FORMATS:
        files = [file for file in find_digest_files([folder]) if file.path.name.endswith(f"_{name}.txt")]
        started = time.perf_counter()
        papers = len(parse_files(files)["paper_appearances"])
        elapsed = time.perf_counter() - started
        megabytes = sum(file.size_bytes for file in files) / 1e6
        figures[name] = {
            "files": len(files),
            "megabytes": round(megabytes, 2),
            "mb_per_s": round(megabytes / elapsed, 2),
            "papers_per_s": round(papers / elapsed),
        }
    return figures


def corpus_folder(root: Path, files: int) -> Path:
    """A folder of its own holding the corpus's first `files` files."""
    return write_corpus(root / f"corpus_{files}", files)[0].parent


def ingest_benchmark(root: Path, scale: Scale) -> tuple[dict, dict, Path]:
    """Fresh-database ingests of each size; then one more file into the small and the large
    folder. Returns the figures of both and the largest database (with its file more)."""
    ingests, one_more, database = {}, {}, root
    for files in sorted({*scale.ingest_sizes, *scale.one_more_at}):
        folder, database = corpus_folder(root, files), root / f"digests_{files}.duckdb"
        seconds, peak = ingest(folder, database)
        if files in scale.ingest_sizes:
            ingests[f"files_{files}"] = {"seconds": round(seconds, 2), "peak_mib": round(peak / 2**20)}
        if files in scale.one_more_at:
            write_digest(folder, files)
            one_more[f"at_{files}_s"] = round(ingest(folder, database)[0], 2)
    small, large = (one_more[f"at_{files}_s"] for files in scale.one_more_at)
    one_more["ratio"] = round(large / small, 2)
    return ingests, one_more, database


def fixed_cost(repeats: int) -> dict:
    """Seconds to import, beyond starting the interpreter, each in a fresh process."""
    interpreter = python_seconds("pass", repeats)
    figures = {"interpreter_s": round(interpreter, 2)}
    for name, module in (
        ("import_dagster_s", "dagster"),
        ("import_digest_pipeline_s", "digest_pipeline"),
        ("load_code_location_s", "digest_pipeline.definitions"),
    ):
        figures[name] = round(max(0.0, python_seconds(f"import {module}", repeats) - interpreter), 2)
    return figures


def seeds_against_floor(root: Path) -> dict:
    seeds = ingest(SEEDS, root / "seeds.duckdb")[0]
    floor = measure([sys.executable, "-c", FLOOR_SCRIPT])[0]
    return {"seeds_job_s": round(seeds, 2), "floor_s": round(floor, 2), "ratio": round(seeds / floor, 2)}


def all_benchmarks(scale: Scale) -> dict:
    """Every figure of issue #6, on a synthetic corpus in a temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        figures = {"parse": parse_throughput(corpus_folder(root, scale.parse_files))}
        figures["extraction"] = extraction_benchmark(scale.words)
        figures["ingest"], figures["one_more_file"], largest = ingest_benchmark(root, scale)
        figures["queries"] = query_latencies(largest)
        figures["fixed_cost"] = fixed_cost(scale.repeats)
        figures["seeds_job"] = seeds_against_floor(root)
    return figures


def targets(figures: dict, scale: Scale) -> list[tuple[str, str, bool]]:
    """(figure, target, met) for each target of issue #6, at the sizes that were run."""
    largest = max(scale.ingest_sizes)
    big = figures["ingest"][f"files_{largest}"]
    more = figures["one_more_file"]
    return [
        ("extraction.ratio", ">= 0.5", figures["extraction"]["ratio"] >= 0.5),
        (f"ingest.files_{largest}.seconds", "< 60 s", big["seconds"] < 60),
        (f"ingest.files_{largest}.peak_mib", "< 2 GiB", big["peak_mib"] < 2048),
        ("one_more_file.ratio", "<= 1.5", more["ratio"] <= 1.5),
        (f"one_more_file.at_{scale.one_more_at[1]}_s", "< 5 s", more[f"at_{scale.one_more_at[1]}_s"] < 5),
        ("seeds_job.ratio", "<= 2 (floor)", figures["seeds_job"]["ratio"] <= 2),
    ] + [(f"queries.{name}", "< 100 ms", ms < 100) for name, ms in figures["queries"].items()]


def flatten(figures: dict, prefix: str = "") -> list[tuple[str, object]]:
    rows = []
    for name, value in figures.items():
        if isinstance(value, dict):
            rows += flatten(value, f"{prefix}{name}.")
        else:
            rows.append((f"{prefix}{name}", value))
    return rows


def print_table(figures: dict, checks: list[tuple[str, str, bool]]) -> None:
    verdicts = {name: (target, "pass" if met else "MISS") for name, target, met in checks}
    print(f"{'figure':<52}{'value':>14}  {'target':<14}result")
    for name, value in flatten(figures):
        target, verdict = verdicts.get(name, ("", ""))
        shown = f"{value:,}" if isinstance(value, int) else str(value)
        print(f"{name:<52}{shown:>14}  {target:<14}{verdict}")


def run_all(quick: bool) -> dict:
    scale = QUICK if quick else FULL
    started = time.perf_counter()
    figures = all_benchmarks(scale)
    checks = targets(figures, scale)
    print_table(figures, checks)
    figures["targets"] = {name: {"target": target, "met": met} for name, target, met in checks}
    figures["mode"] = "quick" if quick else "full"
    figures["wall_s"] = round(time.perf_counter() - started, 1)
    print(f"{figures['mode']} run: {figures['wall_s']} s")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "suite",
        nargs="?",
        default="extraction",
        choices=["extraction", "sensor", "latency", "queries", "all"],
    )
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="all: tiny sizes, under a minute")
    parser.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="FILE",
        help="print the figures as JSON, or write them to FILE",
    )
    args = parser.parse_args()
    if args.suite == "all":
        figures = run_all(args.quick)
    elif args.suite == "sensor":
        figures = sensor_benchmark(args.files)
    elif args.suite == "latency":
        figures = latency_benchmark()
    elif args.suite == "queries":
        figures = queries_benchmark()
    else:
        figures = extraction_benchmark(args.words)
    if args.json and args.json != "-":
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
        print(f"figures written to {args.json}")
    elif args.json:
        print(json.dumps(figures))
    elif args.suite != "all":  # `all` has printed its table
        for name, value in flatten(figures):
            print(f"{name:<30}{value:>14,}" if isinstance(value, int) else f"{name:<30}{value!s:>14}")


if __name__ == "__main__":
    main()
