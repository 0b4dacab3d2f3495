"""Reported results: metric values with units, and the dataset they are reported on."""

import pytest

from digest_pipeline.extraction import extract
from digest_pipeline.extraction.results import SENTENCE_REACH


def results(text: str) -> list[tuple]:
    (extraction,) = extract([text])
    return [(r.dataset, r.metric, r.value, r.unit) for r in extraction.results]


def models(text: str) -> list[tuple]:
    (extraction,) = extract([text])
    return [(r.metric, r.value, r.model) for r in extraction.results]


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


def test_a_value_before_its_metric_is_not_the_previous_metrics():
    assert results("The tagger reaches 61.3 F1 on the news split and 74.8% accuracy on the forum split.") == [
        (None, "F1", 61.3, ""),
        (None, "accuracy", 74.8, "%"),
    ]


def test_words_between_a_value_and_its_metric():
    assert results(
        "The small variant shows 3.4% higher recall and 12% lower CPU latency than the baseline."
    ) == [
        (None, "recall", 3.4, "%"),
        (None, "latency", 12.0, "%"),
    ]


def test_values_joined_before_a_metric():
    assert results("The two variants reach 71.5% and 73.0% precision.") == [
        (None, "precision", 71.5, "%"),
        (None, "precision", 73.0, "%"),
    ]


def test_a_value_right_after_a_metric_is_that_metrics():
    assert results("The segmenter gets F1 90.2 IoU 81.7 on the test tiles.") == [
        (None, "F1", 90.2, ""),
        (None, "IoU", 81.7, ""),
    ]


def test_a_value_in_another_phrase_is_not_the_next_metrics():
    assert results("It keeps 95% while halving latency.") == []
    assert results("It reaches 91% at the same latency.") == []
    assert results("원문 길이의 5배인 입력에서도 검색 정확도 91.2%를 유지했습니다.") == [
        (None, "accuracy", 91.2, "%")
    ]


def test_after_a_value_before_its_metric_only_like_values_follow():
    assert results(
        "It improves by more than 12% in success rate and more than 0.4 in dialogue coherence."
    ) == [(None, "success rate", 12.0, "%")]


def test_a_run_of_values_goes_past_the_first_values_window():
    found = results(
        "The tuned model reaches an F1 of 70.2, ahead of the retrieval baseline (66.0) and the zero-shot"
        " prompting baseline (61.7)."
    )
    assert found == [(None, "F1", 70.2, ""), (None, "F1", 66.0, ""), (None, "F1", 61.7, "")]


def test_a_latex_escaped_percent():
    assert results("It finds the right author with at least 67\\% recall.") == [(None, "recall", 67.0, "%")]


def test_korean_percentage_points():
    assert results("미세 조정 후 정확도가 3.1%p 향상되었습니다.") == [(None, "accuracy", 3.1, "pt")]


def test_a_signed_change_is_in_points():
    assert results("The detector reaches 38.1 AP (+1.9) on the validation split.") == [
        (None, "AP", 38.1, ""),
        (None, "AP", 1.9, "pt"),
    ]


def test_a_change_by_a_bare_value_is_in_points():
    assert results("Distillation improves ROUGE-L by 1.8 (41.0 -> 42.8).") == [
        (None, "ROUGE-L", 1.8, "pt"),
        (None, "ROUGE-L", 41.0, ""),
        (None, "ROUGE-L", 42.8, ""),
    ]


def test_a_multi_token_name_between_a_value_and_its_metric_is_one_word():
    assert results("It leads by 9 points on GSM8K in accuracy.") == [("GSM8K", "accuracy", 9.0, "pt")]


def test_a_point_gain():
    assert results("Filtering the corpus brings a 4 point gain in BLEU.") == [(None, "BLEU", 4.0, "pt")]


def test_numbers_inside_names_are_not_values():
    assert results("The accuracy of Claude 3.5 Sonnet is 72.4%.") == [(None, "accuracy", 72.4, "%")]


def test_sizes_are_not_results():
    assert results("Perplexity keeps falling up to the 1.3 billion scale.") == []
    assert results("Using 4.1G FLOPs, the backbone reaches 79.9% top-1 accuracy.") == [
        (None, "top-1 accuracy", 79.9, "%")
    ]
    assert results("It reaches a perplexity of 20.1 with a 16 layer model.") == [
        (None, "perplexity", 20.1, "")
    ]


def test_korean_counters_are_not_results():
    assert results("정확도 평가는 3단계로 진행되었습니다.") == []


def test_a_length_is_a_setting():
    assert results("It reaches a perplexity of 17.2 on sequences of length 4096.") == [
        (None, "perplexity", 17.2, "")
    ]


def test_a_cutoff_is_not_a_value():
    assert results("Recall at 10 is 0.62 for the dense retriever.") == [(None, "recall", 0.62, "")]


def test_a_setting_ends_a_run_of_values():
    assert results("The F1 is 88.2 with batch size 64 and 128.") == [(None, "F1", 88.2, "")]


def test_training_data_is_not_the_results_dataset():
    assert results("After pretraining on ImageNet-22K, the model reaches 85.1% top-1 accuracy.") == [
        (None, "top-1 accuracy", 85.1, "%")
    ]
    assert results("On BEIR, it beats MSMARCO-trained retrievers by +1.5 NDCG@10.") == [
        ("BEIR", "NDCG@10", 1.5, "pt")
    ]


def test_a_dataset_is_carried_over_only_by_an_explicit_back_reference():
    assert results("We evaluate on GSM8K. Our model reaches 61.0% accuracy.") == [
        (None, "accuracy", 61.0, "%")
    ]
    assert results("We evaluate on GSM8K. On the same test set, our model reaches 61.0% accuracy.") == [
        ("GSM8K", "accuracy", 61.0, "%")
    ]


def test_respectively_pairs_values_with_datasets_in_order():
    assert results("On MMLU and GSM8K, the adapter reaches 68.2% and 79.5% accuracy, respectively.") == [
        ("MMLU", "accuracy", 68.2, "%"),
        ("GSM8K", "accuracy", 79.5, "%"),
    ]
    assert results(
        "MMLU에서 정확도 65.0%, GSM8K에서 정확도 80.1%를 기록해 기준 모델(각각 63.2%, 77.4%)을 앞섰습니다."
    ) == [
        ("MMLU", "accuracy", 65.0, "%"),
        ("GSM8K", "accuracy", 80.1, "%"),
        ("MMLU", "accuracy", 63.2, "%"),
        ("GSM8K", "accuracy", 77.4, "%"),
    ]


def test_respectively_pairs_each_models_values_with_the_datasets_in_order():
    assert results(
        "GAT는 Cora, Citeseer, Pubmed에 대해 각각 83.0%, 72.5%, 79.0%의 분류 정확도를 기록해 "
        "GCN(81.5%, 70.3%, 79.0%)보다 높았습니다."
    ) == [
        ("Cora", "accuracy", 83.0, "%"),
        ("CiteSeer", "accuracy", 72.5, "%"),
        ("PubMed", "accuracy", 79.0, "%"),
        ("Cora", "accuracy", 81.5, "%"),
        ("CiteSeer", "accuracy", 70.3, "%"),
        ("PubMed", "accuracy", 79.0, "%"),
    ]


def test_a_value_far_before_a_metric_is_not_its():
    assert results("It scores 84.1% on the ImageNet-1K validation images while using fewer FLOPs.") == []


def test_respectively_pairs_values_with_datasets_named_after_them():
    assert results(
        "We obtain accuracy of 97.1%, 84.0% and 79.2% on CIFAR-10, CIFAR-100 and ImageNet, respectively."
    ) == [
        ("CIFAR-10", "accuracy", 97.1, "%"),
        ("CIFAR-100", "accuracy", 84.0, "%"),
        ("ImageNet", "accuracy", 79.2, "%"),
    ]


def test_respectively_pairs_values_with_metrics_in_order():
    assert results("We report accuracy and F1 of 88.0% and 85.5%, respectively.") == [
        (None, "accuracy", 88.0, "%"),
        (None, "F1", 85.5, "%"),
    ]
    assert results("정밀도와 재현율은 각각 91.2%, 87.5%입니다.") == [
        (None, "precision", 91.2, "%"),
        (None, "recall", 87.5, "%"),
    ]


def test_a_korean_run_goes_on_past_a_dataset_it_names():
    assert results("제안 모델은 CIFAR-10에서 정확도 94.1%, CIFAR-100에서 76.3%를 달성했습니다.") == [
        ("CIFAR-10", "accuracy", 94.1, "%"),
        ("CIFAR-100", "accuracy", 76.3, "%"),
    ]


def test_percentage_points():
    assert results("Accuracy rises 4.2 percentage points and recall rises 1.5pp.") == [
        (None, "accuracy", 4.2, "pt"),
        (None, "recall", 1.5, "pt"),
    ]


def test_a_baseline_is_not_the_results_model():
    assert models("Llama 3.1 8B는 Mistral-7B 대비 정확도가 4.2% 높습니다.") == [
        ("accuracy", 4.2, "Llama 3.1 8B")
    ]
    assert models("Phi-3 outperforms Llama-2-7B with 2.3x lower latency.") == [("latency", 2.3, "Phi-3")]


def test_a_value_beside_a_model_is_that_models():
    assert models("GPT-4o는 정확도 88.2%로 가장 높았고, Llama 3.1 70B는 81.5%였습니다.") == [
        ("accuracy", 88.2, "GPT-4o"),
        ("accuracy", 81.5, "Llama 3.1 70B"),
    ]
    assert models("The attack reaches success rates of 71% with Gemini and 54% with Claude.") == [
        ("success rate", 71.0, "Gemini"),
        ("success rate", 54.0, "Claude"),
    ]


def test_a_parallel_clause_shares_the_metric():
    assert models(
        "GPT-4o는 정확도 88.7%로 가장 높았으며, 공개 모델 가운데에서는 Phi-3가 68.9%로 가장 좋은 결과를 냈습니다."
    ) == [
        ("accuracy", 88.7, "GPT-4o"),
        ("accuracy", 68.9, "Phi-3"),
    ]
    assert models("GPT-4o는 정확도 88.2%를 기록했고, 모델 크기 면에서는 Phi-3가 3.1배 작았습니다.") == [
        ("accuracy", 88.2, "GPT-4o")
    ]


def test_a_change_stated_later_in_the_sentence_is_the_metrics():
    assert results(
        "The system reaches 27.9 BLEU on the news test set, which is a 6.1% relative improvement over the"
        " strongest baseline."
    ) == [(None, "BLEU", 27.9, ""), (None, "BLEU", 6.1, "%")]
    assert results(
        "WER는 테스트 셋 전체에서 8.3%를 기록했으며, 이는 기존 시스템 대비 14% 감소한 수치입니다."
    ) == [
        (None, "WER", 8.3, "%"),
        (None, "WER", 14.0, "%"),
    ]


def test_a_change_of_another_quantity_is_not_the_metrics():
    assert results(
        "It reaches 92.0% accuracy on the held-out questions and brings a 30% reduction in serving cost."
    ) == [(None, "accuracy", 92.0, "%")]


def test_a_proportion_is_not_a_value():
    assert results("It reaches 92.0% accuracy on the held-out questions with 35% of the compute.") == [
        (None, "accuracy", 92.0, "%")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Table 3 shows accuracy of 80.1%.", [(None, "accuracy", 80.1, "%")]),  # a label
        ("After 3 rounds accuracy is 80%.", [(None, "accuracy", 80.0, "%")]),  # a count
        ("표 3의 정확도는 80.1%입니다.", [(None, "accuracy", 80.1, "%")]),
        ("BLEU peaks at 31.2 on the test set.", [(None, "BLEU", 31.2, "")]),  # "at" is no cutoff
        ("The correlation of accuracy is -0.42 here.", [(None, "accuracy", -0.42, "")]),  # not a change
        ("F1 점수가 2.1 개선되었습니다.", [(None, "F1", 2.1, "")]),  # 개선 is no counter 개
    ],
)
def test_numbers_that_only_look_like_labels_counts_or_cutoffs_stay_values(text, expected):
    assert results(text) == expected


def test_the_sentence_kept_with_a_result_is_cut_where_the_text_has_no_sentence_ends():
    (extraction,) = extract(["F1 1 " * 2_000])
    assert len(extraction.results) == 2_000
    assert max(len(result.sentence) for result in extraction.results) <= 2 * SENTENCE_REACH


@pytest.mark.parametrize(
    "text",
    [
        "YOLOv7 keeps AP high at 30 FPS or higher on a V100.",
        "메모리 사용량은 720 이상에서 급격히 늘었습니다.",
        "ImageNet에서 top-1 정확도 76.2%를 기록해 128만 장으로 학습한 모델과 같았습니다.",
        "pass@100은 샘플링 온도 0.8에서 가장 높았습니다.",
    ],
)
def test_bounds_korean_magnitudes_and_settings_are_not_results(text):
    assert all(value not in (30.0, 720.0, 128.0, 0.8) for _, _, value, _ in results(text))


def test_a_value_stated_as_at_least_is_a_result():
    assert ("DocVQA", "accuracy", 90.0, "%") in results("DocVQA에서 90% 이상의 정확도를 보였습니다.")
    assert ("PPI", "micro-F1", 20.0, "pt") in results("PPI에서 micro-F1이 20%p 이상 높았습니다.")


def test_a_dataset_named_in_the_next_clause_is_not_the_values():
    assert results(
        "On the MNLI development set it reaches 90.2% accuracy, and on SQuAD v2.0 it obtains an F1 of 89.4."
    ) == [("MNLI", "accuracy", 90.2, "%"), ("SQuAD 2.0", "F1", 89.4, "")]


def test_an_abbreviated_metric_in_the_plural_takes_a_respectively_run():
    found = results(
        "On CelebA-HQ, LDM-4 reaches an FID of 5.11, and LDMs obtain FIDs of 4.98, 4.02 and 2.95 "
        "on FFHQ, LSUN-Churches and LSUN-Bedrooms, respectively."
    )
    assert found == [
        ("CelebA-HQ", "FID", 5.11, ""),
        ("FFHQ", "FID", 4.98, ""),
        ("LSUN-Churches", "FID", 4.02, ""),
        ("LSUN-Bedrooms", "FID", 2.95, ""),
    ]


def test_versions_and_dates_with_several_dots_are_not_values():
    assert results("2024.09.15 기준 F1 1.2.3 92.1%를 기록했습니다.") == [(None, "F1", 92.1, "%")]
    assert results("It reaches an F1 of 1,327.5.") == [(None, "F1", 1327.5, "")]
