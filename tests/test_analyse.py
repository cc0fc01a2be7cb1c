"""checker.analyse on real sentences: values and what they attach to, attribution, time
anchors, the stored JSON form, and an old index upgraded in place."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from checker.analyse import (
    ANALYSIS_VERSION,
    Analyser,
    analysis_from_json,
    analysis_to_json,
    load_analyser,
)
from checker.analyse.anchor import resolve_day
from checker.analyse.denials import debunked, denied_and_unasserted, negated, unasserted
from checker.analyse.parse import parse_number, unlabelled_counts
from checker.service import Checker
from checker.types import Analysis, Document, Sentence
from tests.conftest import NO_FORCES_SENTENCE, SEEDS, WITHDRAWAL_SENTENCE, ingest_paths


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    return load_analyser()


def one(analyser: Analyser, text: str, published: str | None = "2023-09-20") -> Analysis:
    return analyser.analyse([text], [published])[0]


def test_the_seeds_say_who_asserts_each_side(analyser: Analyser) -> None:
    denial = one(analyser, NO_FORCES_SENTENCE)
    demand = one(analyser, WITHDRAWAL_SENTENCE)
    assert denial.attribution is not None
    assert denial.attribution.phrase == "Armenian PM Nikol Pashinyan — claiming"
    start, end = denial.attribution.span
    assert NO_FORCES_SENTENCE[start:end] == "Armenian PM Nikol Pashinyan"
    assert demand.attribution is not None
    assert demand.attribution.phrase == "The accord — called for"
    assert "force" in denial.negated  # "there are no Armenian armed forces"
    assert demand.negated == ()


@pytest.mark.parametrize(
    ("text", "speaker", "verb"),
    [
        ("According to Reuters, 300 sheep died in the floods.", "Reuters", "According to"),
        ("The company declined to comment, AP reported.", "AP", "reported"),
        ("The diverted plane landed in Lyon, officials said.", "officials", "said"),
        ("He declined to say whether the company would cut jobs.", "He", "say"),
        # a relative clause speaks for the noun it describes, not for "who" or "that"
        ("The minister, who said that the plant would close, resigned.", "The minister", "said"),
        ("It was the ministry that claimed the dam had burst.", "the ministry", "claimed"),
        # a passive reporting verb speaks for its agent, not for what it reports on
        ("The plant was said by officials to be closing.", "officials", "said"),
        ("He was told by police that the road was closed.", "police", "told"),
    ],
)
def test_attribution_names_the_speaker_and_the_reporting_verb(
    analyser: Analyser, text: str, speaker: str, verb: str
) -> None:
    who = one(analyser, text).attribution
    assert who is not None
    assert (who.speaker, who.verb) == (speaker, verb)


def test_a_sentence_the_text_asserts_itself_has_no_attribution(analyser: Analyser) -> None:
    assert one(analyser, "Heavy rain flooded the town overnight.").attribution is None


@pytest.mark.parametrize(
    "text",
    [
        "It is believed that the dam burst after the storm.",
        "The woman, who is reported to be from Bolivia, has now been discharged from hospital.",
    ],
)
def test_a_passive_report_without_an_agent_names_nobody(analyser: Analyser, text: str) -> None:
    # FNC-1 showed "who — reported" here: the woman is reported on, not reporting.
    assert one(analyser, text).attribution is None


def test_a_that_parsed_as_a_subject_is_no_speaker(analyser: Analyser) -> None:
    """FNC-1: "claims" read as a verb whose subject is "that" was shown as
    "Wednesday that — claims". A speaker is a noun phrase; with none, nobody is named."""
    text = (
        "The Department of Homeland Security released a statement on Wednesday that claims "
        "alleging Islamic State militants have been apprehended at the Mexican border are "
        "“categorically false.”"
    )
    assert one(analyser, text).attribution is None


def test_asking_someone_to_tell_is_no_report_by_the_asker(analyser: Analyser) -> None:
    """FNC-1: "The Comcast agent ... asked the customer to tell him what sites he was
    accessing" was shown as "The Comcast agent — tell": the customer was asked to tell, and
    nobody reports anything."""
    text = (
        "The Comcast agent then repeatedly asked the customer to tell him what sites he was "
        "accessing on the Tor browser."
    )
    assert one(analyser, text).attribution is None


def test_numbers_know_what_they_count_and_names_where_they_hang(analyser: Analyser) -> None:
    sheep = one(analyser, "According to Reuters, 300 sheep died in the floods.")
    [number] = [v for v in sheep.values if v.kind == "number"]
    assert (number.norm, number.head) == ("300", "sheep")
    plane = one(analyser, "The diverted plane landed in Lyon.")
    [place] = [v for v in plane.values if v.kind == "entity"]
    assert (place.norm, place.label, place.head) == ("lyon", "GPE", "land")
    assert plane.predicate == "land" and plane.subject == "plane"
    # Values are masked out of the lemmas alignment compares.
    assert "lyon" not in plane.lemmas and "plane" in plane.lemmas


def test_a_count_the_entity_recogniser_misses_is_still_a_value(analyser: Analyser) -> None:
    # ABC rural: en_core_web_sm tags no entity on "900 properties" in this sentence.
    dam = one(
        analyser,
        "The Government is planning to build a 660,000 megalitre dam on the Mary River, which "
        "would involve the resumption of 900 properties.",
    )
    counts = {(v.norm, v.head) for v in dam.values if v.kind == "number"}
    assert ("900", "property") in counts and ("660000", "dam") in counts
    # With every entity taken away, the counts come back, but a year-like figure does not.
    doc = analyser.nlp("The club finished the 2006 season with 2.5 million fans and nine wins.")
    doc.ents = []
    assert [span.text for span in unlabelled_counts(doc)] == ["2.5 million", "nine"]


@pytest.mark.parametrize(
    "text",
    [
        "Reports that Banksy was arrested in London are true.",
        "The false alarm about the dam woke residents across the valley.",
        "The hoax caller was arrested in London on Monday.",
    ],
)
def test_a_report_confirmed_or_a_word_of_falsehood_elsewhere_denies_nothing(
    analyser: Analyser, text: str
) -> None:
    analysis = one(analyser, text)
    assert "arrest" not in analysis.negated and analysis.debunked == ()
    assert not {"wake", "alarm"} & set(analysis.negated)


@pytest.mark.parametrize(
    ("text", "denied", "debunking"),
    [
        ("The Prime Minister has denied he knew AWB was paying kickbacks to Iraq.", "know", False),
        ("Meanwhile Mr McGauran has rejected suggestions the Government could buy water "
         "from irrigators.", "buy", False),
        ("Police dismissed claims that the boy had been kidnapped.", "kidnap", False),
        # a debunking: what the report says is called false, a hoax, untrue, debunked
        ("Reports that Banksy was arrested in London are false.", "arrest", True),
        ("The claim that Banksy was arrested is a hoax.", "arrest", True),
        ("The story of a spider living under a man's skin is a hoax.", "live", True),
        ("Reports of Banksy's arrest are fake.", "arrest", True),
        ("Claims that the boy had been kidnapped have been debunked.", "kidnap", True),
        ("There is no truth to reports that the minister resigned.", "resign", True),
    ],
)  # fmt: skip
def test_a_denying_verb_or_a_debunking_denies_the_clause_it_rejects(
    analyser: Analyser, text: str, denied: str, debunking: bool
) -> None:
    analysis = one(analyser, text)
    assert denied in analysis.negated and denied in analysis.unasserted
    assert analysis.debunked == ((denied,) if debunking else ())
    doc = analyser.nlp(text)
    assert denied_and_unasserted(doc) == (negated(doc), unasserted(doc), debunked(doc))


def test_rejecting_a_thing_denies_nothing(analyser: Analyser) -> None:
    assert one(analyser, "Farmers rejected the plan to build a dam.").negated == ()


@pytest.mark.parametrize(
    ("text", "head"),
    [
        ("Lamb sales to the US made it Australia's top market worth $327 million.", "market"),
        ("Australia's share of the market has grown, and is now worth $600 million.", "share"),
        ("The deal is worth $5 million, the company said.", "deal"),
    ],
)
def test_a_value_worth_something_sits_in_the_slot_of_that_thing(
    analyser: Analyser, text: str, head: str
) -> None:
    (money,) = [v for v in analyser.analyse([text], [None])[0].values if v.label == "MONEY"]
    assert money.head == head


@pytest.mark.parametrize(
    ("text", "value"),
    [("$327 million", 327e6), ("three", 3.0), ("1,250", 1250.0), ("2.5 billion", 2.5e9)],
)
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == value


def test_the_time_anchor_is_the_sentences_own_day_else_the_reports(analyser: Analyser) -> None:
    tuesday = one(analyser, "The toll rose to 30 on Tuesday.", published="2023-09-21")
    assert (tuesday.anchor, tuesday.anchor_source) == ("2023-09-19", "sentence")
    plain = one(analyser, "The toll rose to 30.", published="2023-09-21T08:00:00")
    assert (plain.anchor, plain.anchor_source) == ("2023-09-21", "published")
    unknown = one(analyser, "The toll rose to 30 on Tuesday.", published=None)
    assert unknown.anchor is None  # a weekday means nothing without the report's date


def test_resolve_day_needs_a_day() -> None:
    assert resolve_day("20 September 2023", None) == "2023-09-20"
    assert resolve_day("yesterday", "2023-09-20") == "2023-09-19"
    assert resolve_day("2014", "2023-09-20") is None  # a year is not a day
    assert resolve_day("last year", "2023-09-20") is None


def test_the_stored_form_round_trips(analyser: Analyser) -> None:
    analysis = one(analyser, NO_FORCES_SENTENCE)
    assert analysis.version == ANALYSIS_VERSION
    assert analysis_from_json(analysis_to_json(analysis)) == analysis
    narrowed = one(analyser, "Woods is serving a secret Tour suspension for a failed drug test.")
    assert narrowed.classifiers == (("suspension", "tour"), ("test", "drug"))
    assert analysis_from_json(analysis_to_json(narrowed)) == narrowed
    asking = one(analyser, "Comcast is not asking customers to stop using Tor.")
    assert asking.complements == (("ask", "stop"), ("stop", "use"))
    assert analysis_from_json(analysis_to_json(asking)) == asking
    debunking = one(analyser, "Reports that Banksy was arrested in London are false.")
    assert debunking.debunked == ("arrest",)
    assert analysis_from_json(analysis_to_json(debunking)) == debunking


def test_the_words_are_spacys_reading_of_every_token(analyser: Analyser) -> None:
    text = "Three people were injured when Armenian forces paid the villagers’ fines."
    analysis = one(analyser, text)
    read = [(text[w.span[0] : w.span[1]], w.lemma, w.tag) for w in analysis.words]
    assert read[:4] == [("Three", "three", "CD"), ("people", "people", "NNS"),
                        ("were", "be", "VBD"), ("injured", "injure", "VBN")]  # fmt: skip
    assert ("paid", "pay", "VBD") in read and ("forces", "force", "NNS") in read
    named = {text[w.span[0] : w.span[1]] for w in analysis.words if w.name}
    assert named == {"Armenian"}
    assert {text[w.span[0] : w.span[1]] for w in analysis.words if w.stop} >= {"were", "when"}
    # The parse: each word's label and where its head is ("Armenian" narrows "forces").
    armenian = next(n for n, (raw, _, _) in enumerate(read) if raw == "Armenian")
    word = analysis.words[armenian]
    assert (word.dep, read[armenian + word.head][0]) == ("amod", "forces")
    assert [w.dep for w in analysis.words].count("ROOT") == 1
    assert analysis_from_json(analysis_to_json(analysis)).words == analysis.words
    # Stored as one string: a "|" or "%" of the text's own comes back as it was.
    piped = one(analyser, "Prices | rose 5% to $3.20 a kilo.")
    assert tuple(analysis_from_json(analysis_to_json(piped)).words) == tuple(piped.words)
    assert [w.lemma for w in piped.words][1:5] == ["|", "rise", "5", "%"]


def test_ingest_stores_analyses_and_a_search_returns_them(
    make_checker: Callable[..., Checker],
) -> None:
    checker = make_checker(nli_model="none")
    ingest_paths(checker, SEEDS)
    assert checker.store.unanalysed_count() == 0
    [hits] = checker.store.search(checker.claim_vectors([NO_FORCES_SENTENCE]), 3)
    assert all(hit.analysis is not None for hit in hits)
    assert hits[0].analysis and hits[0].analysis.attribution
    # Every stored token, so that the rules read it rather than tokenise the text again.
    text = hits[0].sentence.text
    spans = [w.span for w in hits[0].analysis.words]
    assert "".join(text[a:b] for a, b in spans) == "".join(text.split())


def test_an_index_built_before_analysis_is_upgraded_by_the_next_ingest(
    make_checker: Callable[..., Checker], tmp_path: Path
) -> None:
    checker = make_checker(nli_model="none")
    ingest_paths(checker, SEEDS)
    total = checker.store.counts()["sentences"]
    checker.close()
    # An index as the previous release left it: no analyses at all.
    with sqlite3.connect(tmp_path / "index" / "checker.sqlite3") as conn:
        conn.execute("DELETE FROM analyses")
        conn.execute("DELETE FROM meta WHERE key = 'analysis_version'")
    reopened = make_checker(nli_model="none")
    assert reopened.store.unanalysed_count() == total
    summary = ingest_paths(reopened, SEEDS)  # nothing changed, yet every sentence is analysed
    assert summary.unchanged and not summary.added
    assert reopened.store.unanalysed_count() == 0


def test_a_fully_analysed_index_says_so_and_sentences_stored_without_analyses_undo_it(
    make_checker: Callable[..., Checker],
) -> None:
    checker = make_checker(nli_model="none")
    ingest_paths(checker, SEEDS)
    assert checker.store.analyses_current() and checker.upgrade_analyses() == 0
    with checker.store.writing() as writer:  # a writer that brings no analyses (bench/grow.py)
        writer.put_document(
            Document("bare", "Bare text."),
            [Sentence("bare#0", "bare", 0, 0, 10, "Bare text.")],
            checker.claim_vectors(["Bare text."]),
        )
    assert not checker.store.analyses_current()
    assert checker.store.unanalysed_count() == 1
    assert checker.upgrade_analyses() == 1 and checker.store.analyses_current()


@pytest.mark.parametrize(
    "text",
    [
        "There are no guarantees the bank will not raise rates.",
        "The club responded to allegations that Woods is serving a ban, saying he is not.",
        "The panel will have judges instead of arbitrators, and no appeal.",
        "Officials were unable to verify the report and declined to comment.",
        NO_FORCES_SENTENCE,
    ],
)
def test_denials_walked_once_give_what_each_reading_gives(analyser: Analyser, text: str) -> None:
    doc = analyser.nlp(text)
    assert denied_and_unasserted(doc) == (negated(doc), unasserted(doc), debunked(doc))
