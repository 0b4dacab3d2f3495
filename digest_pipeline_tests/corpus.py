"""A synthetic corpus of digest files in all three formats, for benchmarks.

Each file holds about 50 papers whose titles, sections and abstracts recombine the real
seed and sample sentences, with sentences naming models, datasets and metrics beside
numbers mixed in (the entity density of the real digests). A tenth of each file's papers
come from a shared pool, so papers repeat across files; dates spread over two years.
`write_corpus(folder, n)` is deterministic: its first k files are those of `write_corpus(folder, k)`,
and `write_digest(folder, n)` adds the file that would come next.
"""

import os
import random
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

from digest_pipeline.sources import find_digest_files
from digest_pipeline.tables import parse_files
from digest_pipeline_tests.conftest import ARXIV_SAMPLE, SEEDS

SENTENCE = re.compile(r"(?<=[.!?])\s+")
FORMATS = ("markdown_daily_papers", "hf_daily_papers_page", "arxiv_new_uploads")
PAPERS_PER_FILE = 50
SHARED_PAPERS = 200  # the pool that repeated papers are drawn from
SHARED_SHARE = 0.1
FIRST_DATE, DAYS = date(2023, 1, 1), 730
SECTION_LABELS = ("What's New", "Technical Details", "Performance Highlights")
CATEGORIES = ("cs.CL", "cs.CV", "cs.LG", "cs.AI")
HF_PAGE_CHROME = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
    "byAK and the research community\n"
)
# Names the extractor knows the like of; they are what the entity marts are made of.
MODELS = (
    "GPT-4o",
    "LLaMA-7b",
    "Llama-3-70B",
    "RoBERTa-large",
    "XLM-RoBERTa",
    "mBERT",
    "Mistral-7B",
    "Qwen2-72B",
    "CLIP",
    "ViT-L/14",
    "T5-XXL",
    "Gemini-1.5-Pro",
    "Claude 3 Opus",
    "BERT-base",
)
DATASETS = (
    "CoNLL-2014",
    "BEA-2019",
    "GSM8K",
    "MMLU",
    "ImageNet",
    "COCO",
    "SQuAD 2.0",
    "HumanEval",
    "MATH",
    "LEVIR-CD",
    "WMT14 En-De",
    "HellaSwag",
    "TruthfulQA",
    "ARC-Challenge",
)
METRICS = ("F1", "accuracy", "BLEU", "ROUGE-L", "exact match", "pass@1", "IoU", "perplexity", "F0.5")
ENTITY_SENTENCES = {
    "en": (
        "{model} reaches {metric} of {value} on {dataset}, ahead of {other} at {value2}.",
        "On {dataset}, our method improves {metric} by {delta} points over {model}.",
        "We fine-tune {model} on {dataset} and report {metric} of {value}.",
    ),
    "ko": (
        "{dataset}에서 {model}는 {metric} {value}를 기록하여 {other}({value2})를 앞섰습니다.",
        "제안 방법은 {dataset}에서 {model} 대비 {metric}를 {delta}포인트 향상시켰습니다.",
        "{model}를 {dataset}로 fine-tuning하여 {metric} {value}를 달성하였습니다.",
    ),
}


@dataclass(frozen=True)
class Paper:
    arxiv_id: str
    title: str
    authors: tuple[str, ...]
    sections: tuple[str, ...]  # Korean summaries, one per SECTION_LABELS entry (formats A and C)
    abstract: str  # English (format B)
    votes: int
    comments: str


@dataclass(frozen=True)
class Material:
    """Pieces of the real digests to recombine."""

    names: tuple[str, ...]  # the part of titles before ":", e.g. "Seed-Music"
    subtitles: tuple[str, ...]
    authors: tuple[str, ...]
    sentences: dict[str, tuple[str, ...]]  # language -> sentences


@cache
def material() -> Material:
    tables = parse_files(find_digest_files([SEEDS, ARXIV_SAMPLE]))
    titles = tables["paper_appearances"]["title"].to_list()
    sections = tables["paper_sections"]
    sentences = {}
    for language in ("en", "ko"):
        texts = sections.filter(sections["language"] == language)["text"].to_list()
        sentences[language] = tuple(s for text in texts for s in SENTENCE.split(text) if len(s) > 20)
    return Material(
        names=tuple(title.split(":")[0].strip() for title in titles if ":" in title),
        subtitles=tuple(title.split(":", 1)[1].strip() if ":" in title else title for title in titles),
        authors=tuple(sorted(set(tables["paper_authors"]["name"].to_list()))),
        sentences=sentences,
    )


def entity_sentence(rng: random.Random, language: str) -> str:
    model, other = rng.sample(MODELS, 2)
    return rng.choice(ENTITY_SENTENCES[language]).format(
        model=model,
        other=other,
        dataset=rng.choice(DATASETS),
        metric=rng.choice(METRICS),
        value=f"{rng.uniform(20, 95):.1f}",
        value2=f"{rng.uniform(20, 95):.1f}",
        delta=f"{rng.uniform(0.5, 12):.1f}",
    )


def text(rng: random.Random, language: str, sentences: int) -> str:
    """Real sentences in a new order, one in three swapped for a sentence of entities and numbers."""
    pool = material().sentences[language]
    return " ".join(
        entity_sentence(rng, language) if rng.random() < 1 / 3 else rng.choice(pool) for _ in range(sentences)
    )


def make_paper(serial: int) -> Paper:
    """The same paper whichever file it appears in."""
    rng = random.Random(serial)
    found = material()
    published = FIRST_DATE + timedelta(days=rng.randrange(DAYS))
    return Paper(
        arxiv_id=f"{published:%y%m}.{serial % 100_000:05d}",
        # The serial keeps titles unique: format B knows papers by their titles only.
        title=f"{rng.choice(found.names)}-{serial}: {rng.choice(found.subtitles)}",
        authors=tuple(rng.sample(found.authors, rng.randint(2, 12))),
        sections=tuple(text(rng, "ko", rng.randint(2, 4)) for _ in SECTION_LABELS),
        abstract=text(rng, "en", rng.randint(6, 10)),
        votes=rng.randint(0, 150),
        comments=f"{rng.randint(4, 40)} pages, {rng.randint(1, 12)} figures",
    )


def digest_date(number: int) -> date:
    return FIRST_DATE + timedelta(days=random.Random(f"date {number}").randrange(DAYS))


def digest_papers(number: int) -> list[Paper]:
    rng = random.Random(f"papers {number}")
    count = rng.randint(PAPERS_PER_FILE - 5, PAPERS_PER_FILE + 5)
    shared = round(count * SHARED_SHARE)
    papers = [make_paper(rng.randrange(SHARED_PAPERS)) for _ in range(shared)]
    # Serials above the shared pool's, distinct per file: these papers appear once in the corpus.
    first = SHARED_PAPERS + number * (PAPERS_PER_FILE + 5)
    papers += [make_paper(first + offset) for offset in range(count - shared)]
    rng.shuffle(papers)
    return list({paper.title: paper for paper in papers}.values())


def bullets(paper: Paper) -> str:
    return "\n".join(
        f"- **{label}**: {text}" for label, text in zip(SECTION_LABELS, paper.sections, strict=True)
    )


def render_markdown(day: date, papers: list[Paper]) -> str:
    entries = [
        f"### [{p.title}](https://arxiv.org/abs/{p.arxiv_id})\n\n"
        f"![](https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{p.arxiv_id}.png)\n\n"
        f"Vote: {p.votes}\n\nAuthors: {', '.join(p.authors)}\n\n{bullets(p)}\n"
        for p in papers
    ]
    return f"## Daily Papers ({day.isoformat()})\n\n" + "\n".join(entries)


def render_hf_page(day: date, papers: list[Paper]) -> str:
    entries = [f"{p.title}\n\n{p.abstract}\n" for p in papers]
    return f"{HF_PAGE_CHROME}\n{day:%b} {day.day}\n\n" + "\n".join(entries)


def render_arxiv_uploads(day: date, papers: list[Paper]) -> str:
    half = len(papers) // 2
    categories = random.Random(f"categories {day}").sample(CATEGORIES, 2)
    blocks = []
    for category, group in zip(categories, (papers[:half], papers[half:]), strict=True):
        entries = [
            f"### {p.title} (https://arxiv.org/abs/{p.arxiv_id})\nComments:\n    {p.comments}\n\n{bullets(p)}\n"
            for p in group
        ]
        blocks.append(f"New uploads on arXiv({category})\n\n" + "\n\n".join(entries))
    return "\n\n".join(blocks)


RENDERERS = dict(zip(FORMATS, (render_markdown, render_hf_page, render_arxiv_uploads), strict=True))


def digest_format(number: int) -> str:
    return FORMATS[number % len(FORMATS)]


def write_digest(folder: Path, number: int) -> Path:
    """The corpus's file `number`; formats take turns."""
    name = digest_format(number)
    path = folder / f"digest_{number:05d}_{name}.txt"
    day = digest_date(number)
    path.write_text(RENDERERS[name](day, digest_papers(number)), encoding="utf-8")
    # Formats B and C carry no year or no date: the parser dates them by the file's mtime.
    timestamp = datetime.combine(day, time(12)).timestamp()
    os.utime(path, (timestamp, timestamp))
    return path


def write_corpus(folder: Path, files: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [write_digest(folder, number) for number in range(files)]
