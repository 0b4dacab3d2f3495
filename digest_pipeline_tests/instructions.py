"""Instructions per document for the extractor and the bare tokenizer, counted by callgrind.

Wall-clock figures on a shared 2-core machine move by a fifth between runs; instruction
counts repeat exactly, so they tell whether a change to the extractor made it cheaper:

    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/tmp/cg.out \\
        .venv/bin/python -m digest_pipeline_tests.instructions extractor 500

prints nothing itself: callgrind's "Collected" line is the count for the `docs` documents
(run it again with `tokenizer` for the bare tokenizer; `callgrind_annotate --inclusive=yes
/tmp/cg.out` splits it by function). Both read the same texts of the benchmark corpus after
a warm-up over the same texts, so the tokenizer caches hold them as in the steady state of
`bench extraction`. Counting starts after the pipeline is built (`callgrind_control -i on`).
"""

import os
import subprocess
import sys

import spacy

from digest_pipeline.extraction import build_extractor
from digest_pipeline_tests.bench import digest_corpus


def instrument(on: bool) -> None:
    subprocess.run(["callgrind_control", "-i", "on" if on else "off", str(os.getpid())], capture_output=True)


def main() -> None:
    which, docs = sys.argv[1], int(sys.argv[2])
    texts = digest_corpus(60_000)[:docs]
    if which == "extractor":
        nlp = build_extractor()
        list(nlp.pipe(texts))
        instrument(True)
        for _ in nlp.pipe(texts, batch_size=256):
            pass
    else:
        tokenizer = spacy.blank("xx").tokenizer
        for text in texts:
            tokenizer(text)
        instrument(True)
        for text in texts:
            tokenizer(text)
    instrument(False)


if __name__ == "__main__":
    main()
