import pytest

from digest_pipeline.parsing import UnreadableFile, parse_digest
from digest_pipeline_tests.conftest import ARXIV_SAMPLE, HF_PAGE_SEED, MARKDOWN_SEED


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (MARKDOWN_SEED, "markdown_daily_papers"),
        (HF_PAGE_SEED, "hf_daily_papers_page"),
        (ARXIV_SAMPLE, "arxiv_new_uploads"),
    ],
)
def test_format_is_detected_from_content_not_the_name(path, expected, context):
    digest, _ = parse_digest(path.read_bytes(), context)
    assert digest.format == expected


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b" \n\t\r\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (NUL bytes)"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", "binary file (NUL bytes)"),
        (
            b"Just some notes\nabout nothing in particular\n",
            "unknown digest format (first line: 'Just some notes')",
        ),
    ],
)
def test_unreadable_files_raise_a_reason_a_person_understands(data, reason, context):
    with pytest.raises(UnreadableFile, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_digest(data, context)


def test_utf16_with_bom_reads_like_utf8(context):
    text = MARKDOWN_SEED.read_text(encoding="utf-8")
    digest, encoding = parse_digest(text.encode("utf-16"), context)
    assert encoding == "utf-16"
    assert len(digest.entries) == 14


def test_a_korean_digest_in_cp949_is_decoded(context):
    text = MARKDOWN_SEED.read_text(encoding="utf-8")
    # CP949 cannot hold every character of the seed (accents, ∞); keep what it can.
    data = text.encode("cp949", errors="ignore")
    digest, encoding = parse_digest(data, context)
    assert encoding.replace("_", "").lower() in {"cp949", "euckr"}
    assert len(digest.entries) == 14
    assert "새로운 음악 생성 모델" in digest.entries[0].sections[0].text


def test_invalid_utf8_in_the_middle_names_the_line(context):
    data = MARKDOWN_SEED.read_bytes()
    cut = data.index(b"\n", 5000)
    broken = data[:cut] + b"\n\xff\xfe\xfa broken\n" + data[cut:]
    try:
        digest, encoding = parse_digest(broken, context)
    except UnreadableFile as error:
        assert "line" in str(error)
    else:  # a fallback decoder may still read it; then every entry must survive
        assert len(digest.entries) == 14, encoding


def test_utf16_cut_in_the_middle_of_a_character_is_unreadable_not_a_crash(context):
    data = MARKDOWN_SEED.read_text(encoding="utf-8").encode("utf-16")[:-1]
    with pytest.raises(UnreadableFile, match="not valid UTF-16"):
        parse_digest(data, context)
