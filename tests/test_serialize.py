"""The JSON shape of results: who asserts each sentence (`attribution`) and when (`anchor`).

Built from real `Passage`/`Finding` values carrying the `Analysis` the ingest stage stores.
"""

from __future__ import annotations

from dataclasses import replace

from checker import serialize
from checker.drafts import DraftResult, DraftSentence
from checker.service import CheckResult
from checker.types import (
    Analysis,
    Attribution,
    DocumentInfo,
    Finding,
    Hit,
    Judgement,
    Passage,
    Reason,
    Sentence,
    Verdict,
)
from tests.conftest import NO_FORCES_SENTENCE, SEED_001, WITHDRAWAL_SENTENCE

CLAIM = "Armenian forces are present in Karabakh."
PASHINYAN = Attribution("Armenian PM Nikol Pashinyan", "claiming", (0, 27))


def hit(text: str, analysis: Analysis | None, doc: str = SEED_001) -> Hit:
    info = DocumentInfo(doc, "Separatists accept terms", "Wire", None, "2023-09-20")
    return Hit(Sentence(f"{doc}#3", doc, 3, 100, 100 + len(text), text), info, 0.61, analysis)


def judged(h: Hit, verdict: Verdict = Verdict.CONTRADICTS) -> Passage:
    at = h.sentence.text.find("no Armenian")
    spans = ((at, at + 24),) if at >= 0 else ()
    reason = Reason("negation", verdict, 0.73, "the passage denies it", ((0, 15),), spans)
    return Passage(h, Judgement(verdict, 0.73, (reason,)))


def test_a_passage_says_who_asserts_it_and_when() -> None:
    analysis = Analysis(1, attribution=PASHINYAN, anchor="2023-09-20", anchor_source="published")
    body = serialize.passage(judged(hit(NO_FORCES_SENTENCE, analysis)), CLAIM)
    assert body["attribution"] == {
        "speaker": "Armenian PM Nikol Pashinyan",
        "verb": "claiming",
        "text": "Armenian PM Nikol Pashinyan — claiming",
        "span": {"start": 0, "end": 27},
    }
    span = body["attribution"]["span"]
    assert body["text"][span["start"] : span["end"]] == "Armenian PM Nikol Pashinyan"
    assert body["anchor"] == {"date": "2023-09-20", "source": "published"}
    assert body["verdict"] == "contradicts" and body["span"] == {
        "start": 100,
        "end": 100 + len(NO_FORCES_SENTENCE),
    }


def test_a_passage_the_text_asserts_itself_or_not_analysed_has_null_attribution() -> None:
    direct = Analysis(1, anchor="2023-09-21", anchor_source="sentence")
    body = serialize.passage(judged(hit(WITHDRAWAL_SENTENCE, direct)), CLAIM)
    assert body["attribution"] is None
    assert body["anchor"] == {"date": "2023-09-21", "source": "sentence"}
    old = serialize.passage(judged(hit(WITHDRAWAL_SENTENCE, None)), CLAIM)  # stored before
    assert old["attribution"] is None and old["anchor"] is None
    assert set(old) == set(body)  # the same members either way: null, never missing


def test_changed_passages_have_their_own_bucket() -> None:
    change = judged(hit("The toll rose to 40 on Tuesday.", None, "later"), Verdict.CHANGED)
    against = judged(hit(NO_FORCES_SENTENCE, Analysis(1, attribution=PASHINYAN)))
    result = CheckResult(CLAIM, [], [against], [], 12.5, changed=[change])
    body = serialize.check_result(result)
    assert list(body) == ["claim", "supporting", "contradicting", "changed", "related", "took_ms"]
    assert [p["verdict"] for p in body["changed"]] == ["changed"]
    assert body["contradicting"][0]["attribution"]["text"].endswith("— claiming")

    support = judged(hit(WITHDRAWAL_SENTENCE, None, "accord"), Verdict.SUPPORTS)
    draft = DraftResult(
        [
            DraftSentence(CLAIM, 0, len(CLAIM), replace(result, supporting=[support])),
            DraftSentence(CLAIM, 41, 41 + len(CLAIM), result),
        ],
        30.0,
    )
    disputed, contradicted = serialize.draft_result(draft)["sentences"]
    assert disputed["verdict"] == "disputed"  # one report supports it, another contradicts it
    assert contradicted["verdict"] == "contradicts"
    assert contradicted["changed"][0]["document"]["id"] == "later"


def test_both_sides_of_a_finding_carry_attribution_and_anchor() -> None:
    accord = hit(
        WITHDRAWAL_SENTENCE,
        Analysis(1, attribution=Attribution("The accord", "called for", (0, 10))),
        "accord",
    )
    pm = hit(NO_FORCES_SENTENCE, Analysis(1, attribution=PASHINYAN, anchor="2023-09-20"))
    reason = Reason("negation", Verdict.CONTRADICTS, 0.7, "denied", (), ())
    f = Finding(3, accord, pm, 0.7, Judgement(Verdict.CONTRADICTS, 0.7, (reason,)), "2026-11-22")
    body = serialize.finding(f)
    assert body["a"]["attribution"]["text"] == "The accord — called for"
    assert body["a"]["anchor"] is None
    assert body["b"]["attribution"]["speaker"] == "Armenian PM Nikol Pashinyan"
    assert body["b"]["anchor"] == {"date": "2023-09-20", "source": None}
    changed = serialize.finding(replace(f, judgement=Judgement(Verdict.CHANGED, 0.7, (reason,))))
    assert changed["verdict"] == "changed"
