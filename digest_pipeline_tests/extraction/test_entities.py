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


def paper_mentions(title: str, *texts: str) -> list[tuple[int, str, str, str]]:
    """Mentions in a paper's title (text 0) and its other texts, with names the paper introduces."""
    extractions = extract(
        [title, *texts], papers=[0] * (1 + len(texts)), titles=[True] + [False] * len(texts)
    )
    return [(i, m.text, m.label, m.canonical) for i, e in enumerate(extractions) for m in e.mentions]


def test_a_name_ending_in_a_model_family_after_a_hyphenated_prefix_is_a_model():
    found = mentions("We train Quill-DETR and Cross-SwinNet on the same data.")
    assert found == [("Quill-DETR", "MODEL", "Quill-DETR"), ("Cross-SwinNet", "MODEL", "Cross-SwinNet")]


def test_unlisted_names_in_the_plural_with_a_depth_or_a_family_suffix_are_models():
    found = mentions("KiteNets beat KiteNet121 and OrcaBert, and the audio encoder FooCLAP.")
    assert found == [
        ("KiteNets", "MODEL", "KiteNet"),
        ("KiteNet121", "MODEL", "KiteNet121"),
        ("OrcaBert", "MODEL", "OrcaBert"),
        ("FooCLAP", "MODEL", "FooCLAP"),
    ]


def test_a_listed_model_name_written_in_lower_case_names_a_kind():
    found = mentions("Each diffusion transformer here is smaller than the Diffusion Transformer (DiT).")
    assert [surface for surface, label, _ in found if label == "MODEL"] == ["Diffusion Transformer", "DiT"]


def test_an_apposition_says_a_name_is_a_model():
    assert mentions("We release OrcaRank, a lightweight ranking model for search.") == [
        ("OrcaRank", "MODEL", "OrcaRank")
    ]


def test_an_expansion_with_a_hyphenated_modifier_still_spells_its_abbreviation():
    found = mentions("We use a Knowledge-aware Doc-Level Fusion Network (KaNet) for tagging.")
    assert found == [
        ("Knowledge-aware Doc-Level Fusion Network", "MODEL", "KaNet"),
        ("KaNet", "MODEL", "KaNet"),
    ]


def test_a_backronym_spells_its_abbreviation_with_capitals_inside_words():
    found = mentions("We propose the CrOss-lingual Retrieval Network (CORN) for search.")
    assert found == [("CrOss-lingual Retrieval Network", "MODEL", "CORN"), ("CORN", "MODEL", "CORN")]


@pytest.mark.parametrize(
    ("text", "expansion", "abbreviation"),
    [
        (
            "We propose a novel sparse routing network (SRN) for dialogue.",
            "sparse routing network",
            "SRN",
        ),
        ("We propose gated memory networks (GateNets for short).", "gated memory networks", "GateNets"),
    ],
)
def test_a_lower_case_expansion_the_paper_introduces_as_a_model_is_a_name(text, expansion, abbreviation):
    assert [(s, label) for s, label, _ in mentions(text)] == [(expansion, "MODEL"), (abbreviation, "MODEL")]


def test_a_naming_phrase_gives_an_expansion_the_type_of_its_noun():
    found = mentions("We present a retrieval model for code called Dense Code Search Engine (DCSE).")
    assert found == [("Dense Code Search Engine", "MODEL", "DCSE"), ("DCSE", "MODEL", "DCSE")]
    assert mentions("We use a training method called Sparse Code Distillation (SCD).") == []


@pytest.mark.parametrize(
    ("title", "text", "is_model"),
    [
        ("Heron: A Compact Speech Model", "Heron transcribes speech on a phone.", True),
        ("Heron: 빠른 음성 인식", "Heron은 휴대폰에서 동작하는 작은 음성 인식 모델입니다.", True),
        # A type noun presents the name only as the head of its phrase ("LLM Inference" is not an LLM).
        ("Wren: Accelerating Long-Context LLM Inference via Retrieval", "Wren cuts decoding time.", False),
        # The noun after the name must present it: here the model is what the method acts on.
        ("Heron: 빠른 음성 인식", "새로운 어텐션 메커니즘인 Heron은 모델을 가볍게 만듭니다.", False),
        (
            "Quokka: Fast Tuning for Language Models",
            "We present Quokka, a parameter-efficient tuning method. Quokka reduces memory while the model "
            "keeps its accuracy.",
            False,
        ),
    ],
)
def test_a_title_name_is_a_model_when_the_paper_presents_it_as_one(title, text, is_model):
    found = {(i, label) for i, surface, label, _ in paper_mentions(title, text) if surface in title}
    assert found == ({(0, "MODEL"), (1, "MODEL")} if is_model else set())


def test_a_name_found_by_shape_that_the_paper_presents_only_as_a_framework_is_not_a_model():
    found = paper_mentions(
        "LumaFormer: Text Encoders for Recommendation",
        "We introduce LumaFormer, a training framework for recommenders. LumaFormer tunes sentence encoders.",
    )
    assert found == []
    # A variant of a known model keeps its type ("AudioBERT 프레임워크" in ANNOTATION.md).
    found = paper_mentions(
        "TalkBERT: Hearing Language Models", "We propose TalkBERT, a framework that adds audio to BERT."
    )
    assert [(i, surface) for i, surface, label, _ in found if label == "MODEL"] == [
        (0, "TalkBERT"),
        (1, "TalkBERT"),
        (1, "BERT"),
    ]


def test_a_naming_phrase_introduces_a_name_and_the_expansion_after_it():
    found = paper_mentions(
        "Seeing Text Clearly",
        "A novel model termed SEC (Scan, Extract, and Classify) is developed. SEC first scans the page.",
    )
    assert found == [
        (1, "SEC", "MODEL", "SEC"),
        (1, "Scan, Extract, and Classify", "MODEL", "SEC"),
        (1, "SEC", "MODEL", "SEC"),
    ]


def test_our_model_the_name_introduces_a_name_of_several_words_but_not_its_plural():
    found = paper_mentions(
        "Gated Sparse Routers for Long Sequences",
        "Our model, the Gated Sparse Router, learns sparse attention. A 12 layer Gated Sparse Router is trained.",
    )
    # "Gated Sparse Routers" in the title speaks of the kind.
    assert [(i, surface, canonical) for i, surface, _, canonical in found] == [
        (1, "Gated Sparse Router", "Gated Sparse Router"),
        (1, "Gated Sparse Router", "Gated Sparse Router"),
    ]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "Visit İstanbul. Our model, the Gated Sparse Router, learns.",
            "Gated Sparse Router",
        ),  # lower() changes the length
        ("A retrieval model termed Kite Ranker works well.", "Kite Ranker"),
    ],
)
def test_a_naming_phrase_introduces_its_name(text, name):
    assert [(surface, label) for _, surface, label, _ in paper_mentions("A Title", text)] == [(name, "MODEL")]


@pytest.mark.parametrize(
    "text",
    [
        "A model named after Alan Turing reads the tape.",  # "after" is no name
        "We deploy on SLURM, a cluster scheduling system.",  # tools are not models
        "We compare against Vision Transformers and Decision Transformers.",  # the kinds
        "Orbit: Dialogues at Scale. We collect Orbit from forums; our model trained on it wins.",
    ],
)
def test_words_near_a_name_that_do_not_present_it_as_a_model_make_no_model(text):
    assert [
        surface for _, surface, label, _ in paper_mentions(text.split(".")[0], text) if label == "MODEL"
    ] == []


def test_paper_names_are_found_in_any_case_with_their_canonical_and_longest_first():
    found = paper_mentions(
        "Dynamic Route Network For Dialogue", "Specially, we propose a novel dynamic route network (DRN)."
    )
    assert (0, "Dynamic Route Network", "MODEL", "DRN") in found
    found = paper_mentions(
        "Neural Cache with Completion for Retrieval",
        "We propose Neural Cache (NC). With completion, we propose Neural Cache with Completion (NCC).",
    )
    assert [(surface, canonical) for i, surface, _, canonical in found if i == 0] == [
        ("Neural Cache with Completion", "NCC")
    ]


@pytest.mark.parametrize(
    ("text", "surface", "label"),
    [
        ("YOLOv7-E6E runs at 36 FPS.", "YOLOv7-E6E", "MODEL"),
        ("PatchTST/64 wins on most datasets.", "PatchTST/64", "MODEL"),
        ("Codex-S는 HumanEval에서 평가되었습니다.", "Codex-S", "MODEL"),
    ],
)
def test_a_suffixed_variant_of_a_known_name_is_found_under_its_own_name(text, surface, label):
    assert (surface, label, surface) in mentions(text)


def test_a_case_sensitive_name_is_not_found_in_another_case():
    # CoDEx-S is a knowledge-graph dataset; "Codex-S" a fine-tuned Codex model.
    assert ("Codex-S", "DATASET", "CoDEx-S") not in mentions("We fine-tune Codex-S on functions.")
    assert ("CoDEx-S", "DATASET", "CoDEx") in mentions("Link prediction on CoDEx-S improves.")


def test_a_split_name_stays_outside_the_dataset_span():
    found = mentions("Swin obtains 58.7 box AP on COCO test-dev and a WER of 2.1% on LibriSpeech test-clean.")
    assert ("COCO", "DATASET", "COCO") in found
    assert ("LibriSpeech", "DATASET", "LibriSpeech") in found


def test_a_metric_named_in_the_plural_is_found():
    assert ("classification accuracies", "METRIC", "accuracy") in mentions(
        "GAT reaches classification accuracies of 83.0% and 72.5% on Cora and Citeseer, respectively."
    )


def test_a_generic_head_noun_is_cut_off_only_where_the_rest_is_a_name_itself():
    assert ("F1", "METRIC", "F1") in mentions("It reaches an F1 score of 92.1.")
    assert any(
        surface == "Mean Opinion Scores" for surface, _, _ in mentions("Mean Opinion Scores rose to 4.2.")
    )


def test_a_plural_made_for_a_metric_never_takes_another_metrics_name():
    # "APs" is small-object AP (AP_S), not the plural of AP.
    assert ("APs", "METRIC", "AP_S") in mentions("Small objects get APs 33.1 on COCO, and the FIDs fall.")
    assert ("FIDs", "METRIC", "FID") in mentions("Small objects get APs 33.1 on COCO, and the FIDs fall.")
