from datetime import date
from pathlib import Path

import pytest

from digest_pipeline.parsing import ParseContext

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
MARKDOWN_SEED = SEEDS / "000_dbe65cc6488eb29d.txt"
HF_PAGE_SEED = SEEDS / "002_1c168f04fb2e1c6e.txt"
ARXIV_SAMPLE = Path(__file__).resolve().parent / "data" / "arxiv_uploads.txt"


@pytest.fixture
def context() -> ParseContext:
    return ParseContext(reference_date=date(2024, 9, 20))


def source_lines(path: Path) -> list[str]:
    """The file's lines as an editor numbers them (1-based index = list index + 1)."""
    return path.read_text(encoding="utf-8-sig").splitlines()
