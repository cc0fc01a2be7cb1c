"""Properties that hold for any text (hypothesis): the segmenter's offsets always slice the
stored text to the sentence, and the rule judges never fail and always point inside their
texts. The strategies mix arbitrary Unicode with the words and punctuation the code looks
for (sentence ends, quotes, newlines, numbers, dates, denials), so the rules actually fire.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.errors import CheckerError
from checker.ingest.metadata import Metadata
from checker.ingest.records import document_from_text
from checker.judge.rules import RuleJudge
from checker.segment import segment
from checker.types import Document, Reason, Verdict
from tests.test_segment import assert_well_formed

# Derandomised, with no example database: every run and machine draws the same examples.
QUICK = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    database=None,
)

# Pieces of news prose and of the furniture around it, and what breaks naive splitters.
_TOKENS = [
    "The", "ceasefire", "held", "Armenian", "forces", "in", "Karabakh", "there", "are", "no",
    "not", "never", "denied", "withdrawal", "of", "remaining", "12", "1,200", "3.5", "40%",
    "$5m", "20 September 2023", "2023-09-20", "Sept. 19", "at 1 p.m.", "13:00", "Mr.", "U.S.",
    "e.g.", "...", "…", ".", "!", "?", ";", ":", ",", "\"", "'", "”", "’", "»", "(", ")", "[",
    "]", "•", "-", "#", "Image:", "Share", "\n", "\n\n", "\r\n", "\t", " ", "\u00a0", "\u2028",
    "\u200b", "\ufeff", "é", "İ", "ß", "ﬁ", "🙂", "٣", "漢字",
]  # fmt: skip
TEXT = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(st.sampled_from(_TOKENS), st.text(max_size=6)), max_size=120).map(
        lambda parts: " ".join(parts) if len(parts) % 2 else "".join(parts)
    ),
)


@QUICK
@given(text=TEXT)
def test_every_sentence_slices_the_text_it_came_from(text: str) -> None:
    document = Document(id="d", text=text)
    assert_well_formed(document, segment(document))


@QUICK
@given(text=TEXT)
def test_ingested_text_segments_inside_its_body(text: str) -> None:
    """The ingest path: furniture found first, then sentences only inside the body spans."""
    try:
        document = document_from_text("d", text, Metadata(), 2_000_000)
    except CheckerError:
        return  # empty, furniture only, NUL, lone surrogate: refused with a message, fine
    for start, end in document.body:
        assert 0 <= start < end <= len(document.text)
    assert_well_formed(document, segment(document))


def _assert_points_inside(reason: Reason, claim: str, passage: str) -> None:
    assert reason.verdict in set(Verdict)
    assert 0.0 <= reason.confidence <= 1.0
    assert reason.kind and isinstance(reason.detail, str)
    for spans, text in ((reason.claim_spans, claim), (reason.passage_spans, passage)):
        for start, end in spans:
            assert 0 <= start <= end <= len(text), (start, end, len(text))


@pytest.fixture(scope="module")
def judge() -> RuleJudge:
    return RuleJudge()


@QUICK
@given(claim=TEXT, passage=TEXT)
def test_rules_judge_any_pair_and_point_inside_it(
    judge: RuleJudge, claim: str, passage: str
) -> None:
    judgements = judge.judge([(claim, passage), (passage, claim)])
    assert len(judgements) == 2
    for judgement, (a, b) in zip(judgements, [(claim, passage), (passage, claim)], strict=True):
        assert judgement.verdict in set(Verdict)
        assert 0.0 <= judgement.confidence <= 1.0
        if judgement.verdict is not Verdict.RELATED:
            assert judgement.reasons and judgement.reasons[0].verdict is judgement.verdict
        for reason in judgement.reasons:
            _assert_points_inside(reason, a, b)


@QUICK
@given(claim=TEXT, edit=st.sampled_from(["not ", "no ", "12 ", "2023-09-21 ", ""]))
def test_rules_judge_near_copies(judge: RuleJudge, claim: str, edit: str) -> None:
    """A passage that is the claim with one word added: where the rules are most active."""
    words = claim.split(" ")
    middle = len(words) // 2
    passage = " ".join([*words[:middle], edit.strip(), *words[middle:]])
    (judgement,) = judge.judge([(claim, passage)])
    for reason in judgement.reasons:
        _assert_points_inside(reason, claim, passage)
