"""Reported results: metric values with units, and the dataset they are reported on."""

from digest_pipeline.extraction import extract


def results(text: str) -> list[tuple]:
    (extraction,) = extract([text])
    return [(r.dataset, r.metric, r.value, r.unit) for r in extraction.results]


def test_values_in_parentheses_after_a_dataset():
    assert results("CFNet achieves LEVIR-CD (F1: 92.18%, IoU: 85.49%).") == [
        ("LEVIR-CD", "F1", 92.18, "%"),
        ("LEVIR-CD", "IoU", 85.49, "%"),
    ]


def test_a_bare_value_after_of():
    assert results("The results, with an NDCG@20 of 0.901, are strong.") == [(None, "NDCG@20", 0.901, "")]


def test_a_korean_before_and_after_pair():
    assert results("PER가 31.61%에서 15.79%로 감소했습니다.") == [
        (None, "PER", 31.61, "%"),
        (None, "PER", 15.79, "%"),
    ]


def test_factors_before_a_korean_metric():
    found = results("각각 4.9배, 1.98배의 디코딩 지연 시간 감소를 달성했습니다.")
    assert sorted(found) == [(None, "latency", 1.98, "x"), (None, "latency", 4.9, "x")]


def test_counts_are_not_results():
    assert results("The dataset has 12,000 entries and the model has 8B parameters with 95% accuracy.") == [
        (None, "accuracy", 95.0, "%")
    ]


def test_a_range_gives_both_ends_the_unit():
    assert results("Earlier work reached a 68-71% success rate.") == [
        (None, "success rate", 68.0, "%"),
        (None, "success rate", 71.0, "%"),
    ]


def test_settings_are_not_results():
    assert results("It reaches 86.5% top-1 accuracy when finetuned with resolution 224.") == [
        (None, "top-1 accuracy", 86.5, "%")
    ]
