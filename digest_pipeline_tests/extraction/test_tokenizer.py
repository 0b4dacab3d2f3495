"""Korean particles and glued abbreviations come off English names, so spans are clean."""

import pytest

from digest_pipeline.extraction import build_extractor, extract
from digest_pipeline.extraction.tokenizer import CHUNK_SLICE, LONG_CHUNK


def tokens(text: str) -> list[str]:
    return [token.text for token in build_extractor().make_doc(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SSMax는", ["SSMax", "는"]),
        ("GPT-4o의", ["GPT-4o", "의"]),
        ("LLaMA-7b에서", ["LLaMA-7b", "에서"]),
        ("$k$NN-LMs는", ["$", "k$NN-LMs", "는"]),
        ("Phoneme Error Rate(PER)가", ["Phoneme", "Error", "Rate", "(", "PER", ")", "가"]),
        ("31.61%에서 15.79%로", ["31.61", "%", "에서", "15.79", "%", "로"]),
        ("4.9배의", ["4.9", "배의"]),
        (
            "**Comics Understanding(만화 이해)**를",
            ["*", "*", "Comics", "Understanding", "(", "만화", "이해", ")", "*", "*", "를"],
        ),
        (
            "LEVIR-CD (F1: 92.18%, IoU: 85.49%)",
            ["LEVIR-CD", "(", "F1", ":", "92.18", "%", ",", "IoU", ":", "85.49", "%", ")"],
        ),
        ("DETR-like BERT-based", ["DETR", "-", "like", "BERT", "-", "based"]),
        # Letters after a number are its unit, unless the number is part of a name.
        ("50.4AP 24GB R2GenGPT T5Gemma", ["50.4", "AP", "24", "GB", "R2GenGPT", "T5Gemma"]),
    ],
)
def test_names_come_out_whole_and_without_particles(text, expected):
    assert tokens(text) == expected


def test_korean_metric_words_lose_their_particles():
    (extraction,) = extract(["정확도가 재현율은 지연 시간이 정밀도를 높였다"])
    assert [(m.text, m.canonical) for m in extraction.mentions] == [
        ("정확도", "accuracy"),
        ("재현율", "recall"),
        ("지연 시간", "latency"),
        ("정밀도", "precision"),
    ]


@pytest.mark.parametrize("words_before", [0, 1, 63, 64, 100])
def test_a_long_chunk_is_cut_into_slices_wherever_it_starts(words_before):
    text = "a " * words_before + "x" * LONG_CHUNK + " end"
    doc = build_extractor().make_doc(text)
    assert max(len(token) for token in doc) <= CHUNK_SLICE
    assert doc.text == text
