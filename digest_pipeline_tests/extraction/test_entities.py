"""Entity mentions and their canonical names, on sentences written like the digests."""

import pytest

from digest_pipeline.extraction import extract
from digest_pipeline.sources import find_digest_files
from digest_pipeline.tables import parse_files
from digest_pipeline_tests.conftest import ARXIV_SAMPLE, SEEDS


def mentions(text: str) -> list[tuple[str, str, str]]:
    (extraction,) = extract([text])
    return [(m.text, m.label, m.canonical) for m in extraction.mentions]


def canonical(text: str, surface: str) -> str:
    return next(c for s, _, c in mentions(text) if s == surface)


def test_particles_stay_outside_the_spans():
    found = mentions("GPT-4o의 성능은 LLaMA-7b에서 측정되었고, MMLU에서 정확도가 높았습니다.")
    assert ("GPT-4o", "MODEL", "GPT-4o") in found
    assert ("MMLU", "DATASET", "MMLU") in found
    assert ("정확도", "METRIC", "accuracy") in found
    assert any(surface == "LLaMA-7b" and label == "MODEL" for surface, label, _ in found)


def test_an_expansion_and_its_abbreviation_are_two_spans_of_one_entity():
    found = mentions("평균 Phoneme Error Rate(PER)가 31.61%으로 나타났습니다.")
    assert [(s, label) for s, label, _ in found] == [("Phoneme Error Rate", "METRIC"), ("PER", "METRIC")]
    assert found[0][2] == found[1][2]


@pytest.mark.parametrize(
    ("first", "second"),
    [("YOLO v8", "YOLOv8"), ("LLaMA", "Llama"), ("정확도", "accuracy"), ("word error rate", "WER")],
)
def test_spellings_of_one_thing_share_a_canonical_name(first, second):
    assert canonical(f"We compare {first} here.", first) == canonical(f"We compare {second} here.", second)


def test_generic_head_nouns_stay_outside_the_span():
    found = mentions("The F1 score on the COCO dataset and the F1 점수 improved.")
    assert [(s, label) for s, label, _ in found] == [("F1", "METRIC"), ("COCO", "DATASET"), ("F1", "METRIC")]


def test_model_size_stays_in_the_canonical_name():
    assert canonical("We fine-tune Llama 3.1 8B and Llama 3.1 70B.", "Llama 3.1 8B") != canonical(
        "We fine-tune Llama 3.1 8B and Llama 3.1 70B.", "Llama 3.1 70B"
    )


def test_methods_libraries_and_generic_kinds_are_not_entities():
    found = mentions("We train the LLM with LoRA and DPO in PyTorch, using RLHF and a CNN.")
    assert found == []


def test_names_no_list_holds_are_found_by_shape_and_context():
    found = {
        (s, label)
        for s, label, _ in mentions(
            "We introduce ZetaQA, a new benchmark, and the Quokka-13B model on the FooSet dataset."
        )
    }
    assert ("ZetaQA", "DATASET") in found
    assert ("FooSet", "DATASET") in found
    assert ("Quokka-13B", "MODEL") in found


def test_offsets_point_at_the_surface_in_every_seed_text():
    tables = parse_files(find_digest_files([SEEDS, ARXIV_SAMPLE]))
    texts = tables["paper_sections"]["text"].to_list() + tables["paper_appearances"]["title"].to_list()
    total = 0
    for text, extraction in zip(texts, extract(texts), strict=True):
        for m in extraction.mentions:
            assert text[m.start : m.end] == m.text and m.text.strip() == m.text
            total += 1
    assert total > 300


def test_an_abbreviation_and_its_capitalised_expansion_are_one_entity():
    found = mentions(
        "This paper proposes a Hierarchical Multi-Interest Co-Network (HCN) to capture interests."
    )
    assert found == [
        ("Hierarchical Multi-Interest Co-Network", "MODEL", "HCN"),
        ("HCN", "MODEL", "HCN"),
    ]


def test_a_lower_case_expansion_names_a_kind_not_an_entity():
    assert mentions("Each layer has a feed-forward network (FFN) after attention.") == []


def test_a_metric_name_before_a_task_word_names_the_task_even_past_its_abbreviation():
    task = mentions("Multimodal click-through rate (CTR) prediction is key in recommender systems.")
    assert [label for _, label, _ in task if label == "METRIC"] == []
    measured = mentions("The model raises the click-through rate (CTR) by 2.1%.")
    assert [surface for surface, label, _ in measured if label == "METRIC"] == ["click-through rate", "CTR"]
