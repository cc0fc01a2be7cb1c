"""Alignment, copies, the entity rule and the gate, on real sentences parsed by spaCy.

The text judges here are the real rules; where a model's reading is needed, the Reason it
would give is written out, which is what the gate reads (the model itself is tested in
test_nli_model.py).
"""

from __future__ import annotations

from collections.abc import Callable
from difflib import SequenceMatcher

import pytest

from checker.analyse import Analyser, load_analyser
from checker.judge.align import (
    COPY_MIN_RATIO,
    _copy_words,
    _measure,
    align,
    denies_what_other_says,
    is_copy,
    subjects_swapped,
)
from checker.judge.base import CombinedJudge
from checker.judge.calibration import Calibration, fit
from checker.judge.gate import Gate, Sides
from checker.judge.rules import RuleJudge
from checker.judge.rules.text import PARSES, analyse
from checker.service import Checker, judge_analysed
from checker.types import Analysis, Judgement, Reason, Value, Verdict
from tests.conftest import (
    NO_FORCES_SENTENCE,
    SEEDS,
    WITHDRAWAL_SENTENCE,
    CountingJudge,
    ingest_paths,
)

CLAIM = "Armenian forces are present in Karabakh"


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    return load_analyser()


def judged(
    analyser: Analyser,
    a: str,
    b: str,
    published: tuple[str | None, str | None] = ("2023-09-20", "2023-09-20"),
    extra: tuple[Reason, ...] = (),
) -> Judgement:
    """The rules' judgement of (a, b) plus `extra` readings, through the gate."""
    first, second = analyser.analyse([a, b], list(published))
    [rules] = RuleJudge().judge([(a, b)])
    text = Judgement(rules.verdict, rules.confidence, (*rules.reasons, *extra))
    gate = Gate(min_confidence=0.5, calibration=Calibration())
    return gate.decide(text, Sides(a, b, first, second))


def pair(analyser: Analyser, a: str, b: str) -> tuple[Analysis, Analysis]:
    first, second = analyser.analyse([a, b], ["2023-09-20", "2023-09-20"])
    return first, second


def meets(analyser: Analyser, denier: str, other: str) -> bool:
    """Whether what one sentence denies the other asserts (either way round)."""
    return denies_what_other_says(*pair(analyser, denier, other))


def nli(verdict: Verdict, confidence: float) -> Reason:
    return Reason("nli", verdict, confidence, f"NLI model: {verdict.value} {confidence:.2f}")


def test_the_seeds_still_contradict_with_the_alignment_as_evidence(analyser: Analyser) -> None:
    result = judged(analyser, WITHDRAWAL_SENTENCE, NO_FORCES_SENTENCE)
    assert result.verdict is Verdict.CONTRADICTS
    assert [r.kind for r in result.reasons] == ["negation", "alignment"]
    assert "force" in result.reasons[-1].detail


def test_a_number_of_a_different_thing_is_no_contradiction(analyser: Analyser) -> None:
    a = "The US lamb market is worth $327 million a year."
    b = "Australian beef exports to Korea are worth $600 million a year."
    assert not align(*pair(analyser, a, b)).agrees(0.4, 2)
    claimed = nli(Verdict.CONTRADICTS, 0.97)
    result = judged(analyser, a, b, extra=(claimed,))
    assert result.verdict is Verdict.RELATED
    assert claimed in result.dissent and not result.reasons


def test_sharing_a_number_is_no_support(analyser: Analyser) -> None:
    a = "Cyclone Yasi crossed the coast near Mission Beach with winds of 285 km/h."
    b = "Cyclone Larry brought winds of 285 km/h to Innisfail."
    result = judged(analyser, a, b, extra=(nli(Verdict.SUPPORTS, 0.91),))
    assert result.verdict is Verdict.RELATED


def test_the_same_place_named_differently_is_the_entity_rule(analyser: Analyser) -> None:
    a = "The diverted plane landed in Lyon, officials said."
    b = "The diverted plane landed in Geneva, according to the airline."
    result = judged(analyser, a, b)
    assert result.verdict is Verdict.CONTRADICTS
    lead = result.reasons[0]
    assert lead.kind == "entity"
    assert [a[s:e] for s, e in lead.claim_spans] == ["Lyon"]
    assert [b[s:e] for s, e in lead.passage_spans] == ["Geneva"]


def test_a_name_and_its_short_form_are_the_same_place(analyser: Analyser) -> None:
    a = "Talks with the Nagorno-Karabakh authorities were held in Yevlakh."
    b = "Talks with the Karabakh authorities were held in Yevlakh."
    assert judged(analyser, a, b).verdict is not Verdict.CONTRADICTS


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # outlet credit and reporting verb
        ("The company declined to comment on the allegations, the Associated Press reported.",
         "The company declined to comment on the allegations, Reuters said."),
        # a descriptor added, curly quotes against straight ones
        ("“We will rebuild every home,” Prime Minister Tony Abbott told reporters in Canberra.",
         '"We will rebuild every home," Australian Prime Minister Tony Abbott told reporters '
         "in Canberra."),
        # a spelling variant
        ("The council will spend $2 million to repair the flood-damaged roads this year.",
         "The council will spend $2 million to repair the flood damaged roads this year."),
        # a section heading glued on by the page's layout, even one that says "NOT"
        ("NOT THE FIRST DELAY The council has postponed the vote on the new bridge until May.",
         "The council has postponed the vote on the new bridge until May."),
        # one quote told twice (FNC-1 articles), a name written two ways inside it, each side
        # with its own attribution and more besides (the NLI model read both as contradictions)
        ('"We needed the best actor on the board in a certain age range and that\'s Christian '
         'Bale," Sorkin said on Oct. 23.',
         '"We needed the best actor on the board in a certain age range and that\'s Chris Bale," '
         "Sorkin told Bloomberg Television, explaining that Bale didn't need to audition."),
        ("“We needed the best actor on the board in a certain age range and that’s Chris Bale,” "
         "Sorkin said to Bloomberg Television in a recent interview when asked about the Jobs "
         "role.",
         '"We needed the best actor on the board in a certain age range and that\'s Chris Bale," '
         "Sorkin told Bloomberg Television, explaining that Bale didn't need to audition."),
    ],
)  # fmt: skip
def test_copies_support_and_never_contradict(analyser: Analyser, a: str, b: str) -> None:
    first, second = pair(analyser, a, b)
    assert is_copy(a, b, first, second, align(first, second))
    result = judged(analyser, a, b, extra=(nli(Verdict.CONTRADICTS, 0.98),))
    assert result.verdict is Verdict.SUPPORTS
    assert [r.kind for r in result.reasons] == ["copy"]


@pytest.mark.parametrize(
    ("b", "copy"),
    [
        ("The council approved the new library plan after a lengthy debate.", True),
        # settled by the lengths alone
        ("The council approved the new library plan, which had been delayed for years over "
         "its cost, after a long debate.", False),
        # by the letters the two share
        ("Farmers across the region welcomed rain after a very dry winter season.", False),
        # only by the full matching: the same words in another order
        ("After a long debate the new library plan approved the council.", False),
    ],
)  # fmt: skip
def test_the_copy_tests_shortcuts_give_the_full_ratios_answer(
    analyser: Analyser, b: str, copy: bool
) -> None:
    a = "The council approved the new library plan after a long debate."
    first, second = pair(analyser, a, b)
    x, y = (" ".join(_copy_words(t, s)) for t, s in ((a, first), (b, second)))
    full = SequenceMatcher(None, x, y, autojunk=False).ratio() >= COPY_MIN_RATIO
    assert is_copy(a, b, first, second, align(first, second)) is full is copy


@pytest.mark.parametrize(
    "b",
    [
        # the saying denied
        'Sorkin never said "we needed the best actor on the board in a certain age range and '
        "that's Chris Bale\".",
        # the quote called false
        'The claim that Sorkin said "we needed the best actor on the board in a certain age '
        "range and that's Chris Bale\" is false.",
        # another quote that shares a short one's words
        '"We needed the best actor," Sorkin said of another film.',
    ],
)
def test_a_quote_denied_doubted_or_too_short_is_no_copy(analyser: Analyser, b: str) -> None:
    a = (
        '"We needed the best actor on the board in a certain age range and that\'s Chris Bale," '
        "Sorkin told Bloomberg Television."
    )
    first, second = pair(analyser, a, b)
    assert not is_copy(a, b, first, second, align(first, second))


def test_a_quote_told_twice_is_a_copy_whatever_the_speakers_other_quote_says(
    analyser: Analyser,
) -> None:
    # "false" is the speaker's own word, inside a second quote: it doubts nothing the two
    # reporters say, so the one long quote both carry still makes them one saying.
    a = (
        '"We needed the best actor on the board in a certain age range and that\'s Chris Bale," '
        'Sorkin said, adding: "The rumours about the casting are false."'
    )
    b = (
        "\"We needed the best actor on the board in a certain age range and that's Christian "
        'Bale," Sorkin told Bloomberg Television on Thursday.'
    )
    first, second = pair(analyser, a, b)
    assert is_copy(a, b, first, second, align(first, second))


@pytest.mark.parametrize(
    ("b", "verdict"),
    [
        # a debunking of the same report: the debunking rule contradicts, whatever the model
        ("Reports that Banksy was arrested in London are false.", Verdict.CONTRADICTS),
        ("The claim that Banksy was arrested in London is a hoax.", Verdict.CONTRADICTS),
        # the same report confirmed, or another one debunked: nothing to contradict
        ("Reports that Banksy was arrested in London are true.", Verdict.RELATED),
        ("Reports that Banksy opened a gallery in London are false.", Verdict.RELATED),
    ],
)
def test_a_debunking_of_what_the_claim_says_contradicts_it(
    analyser: Analyser, b: str, verdict: Verdict
) -> None:
    a = "Banksy was arrested in London after a police raid on a warehouse."
    # The shipped model reads such a debunking as neutral (bench.refutation_probe --nli).
    neutral = Reason("nli", Verdict.RELATED, 0.9, "NLI model: neutral 0.90")
    for first, second in ((a, b), (b, a)):
        result = judged(analyser, first, second, extra=(neutral,))
        assert result.verdict is verdict
        if verdict is Verdict.CONTRADICTS:
            assert [r.kind for r in result.reasons] == ["negation", "alignment"]
            assert "calls false" in result.reasons[0].detail
    # A side that itself refutes the report states nothing, however its capitals parsed.
    headline = "Officials Refute Iraqi Media Reports That ISIS Members Have Contracted Ebola"
    refuted = (
        "Reports that Isis fighters in Iraq have contracted Ebola have been refuted as "
        "“incorrect” and “unfounded” by the country’s health ministry."
    )
    assert judged(analyser, headline, refuted, extra=(neutral,)).verdict is Verdict.RELATED
    assert judged(analyser, "ISIS fighters have contracted Ebola in Mosul.", refuted).verdict is (
        Verdict.CONTRADICTS
    )
    # A model contradiction of a report nobody debunks still needs something to point at.
    confirmed = "Reports that Banksy was arrested in London are true."
    assert judged(analyser, a, confirmed, extra=(nli(Verdict.CONTRADICTS, 0.95),)).verdict is (
        Verdict.RELATED
    )


def test_a_copy_with_a_changed_number_is_not_a_copy(analyser: Analyser) -> None:
    a = "Police said 12 people were arrested after the match in Melbourne."
    b = "Police said 15 people were arrested after the match in Melbourne."
    first, second = pair(analyser, a, b)
    assert not is_copy(a, b, first, second, align(first, second))
    assert judged(analyser, a, b).verdict is Verdict.CONTRADICTS


def test_a_figure_read_on_two_days_changed_over_time(analyser: Analyser) -> None:
    a = "Police said on Tuesday that 30 people had died in the Queensland floods."
    b = "Police said on Wednesday that 45 people had died in the Queensland floods."
    result = judged(analyser, a, b)
    assert result.verdict is Verdict.CHANGED
    assert result.reasons[0].kind == "time"
    assert "2023-09-19" in result.reasons[0].detail and "2023-09-20" in result.reasons[0].detail


def test_the_same_figure_on_the_same_day_still_contradicts(analyser: Analyser) -> None:
    a = "Police say 30 people have died in the Queensland floods."
    b = "Police say 45 people have died in the Queensland floods."
    assert judged(analyser, a, b).verdict is Verdict.CONTRADICTS
    # Reports of different days without dates of their own: a change over time.
    later = judged(analyser, a, b, published=("2023-09-19", "2023-09-20"))
    assert later.verdict is Verdict.CHANGED
    # One side undated: nothing says it is a later reading, so it stays a contradiction.
    undated = judged(analyser, a, b, published=(None, "2023-09-20"))
    assert undated.verdict is Verdict.CONTRADICTS


def test_readings_that_lean_another_way_are_dissent_not_reasons(analyser: Analyser) -> None:
    neutral = nli(Verdict.RELATED, 0.87)
    result = judged(analyser, WITHDRAWAL_SENTENCE, NO_FORCES_SENTENCE, extra=(neutral,))
    assert result.verdict is Verdict.CONTRADICTS
    assert neutral not in result.reasons and neutral in result.dissent


def test_the_model_reads_only_pairs_whose_verdict_it_can_change(
    make_checker: Callable[..., Checker],
) -> None:
    """The cascade: the same verdicts as reading every pair, from fewer model reads."""
    checker = make_checker()  # the shipped NLI model
    ingest_paths(checker, SEEDS)
    hits = checker.store.search(checker.claim_vectors([CLAIM]), 20)[0]
    pairs = [(CLAIM, hit.sentence.text) for hit in hits]
    cascaded = checker.judge_texts(pairs)
    assert 0 < checker.model_reads.model < checker.model_reads.judged == len(pairs)
    assert isinstance(checker.judge, CombinedJudge)
    every = CombinedJudge(checker.judge.judges, checker.judge.min_confidence)  # nothing skipped
    everything = Checker(checker.settings, checker.store, every, checker.embedder)
    assert [j.verdict for j in everything.judge_texts(pairs)] == [j.verdict for j in cascaded]
    assert [j.confidence for j in everything.judge_texts(pairs)] == [j.confidence for j in cascaded]


def test_judging_stored_sentences_parses_nothing_again(
    make_checker: Callable[..., Checker],
) -> None:
    """The rules read the words stored at ingest (and the claim's, analysed for the check):
    they parse nothing themselves, while the same rules given bare texts parse each one."""
    checker = make_checker(nli_model="none")
    ingest_paths(checker, SEEDS)
    claim = CLAIM
    analyse.cache_clear()
    before = PARSES.count
    found = checker.check(claim, k=20)
    assert PARSES.count == before
    assert [p.hit.sentence.text for p in found.contradicting] == [NO_FORCES_SENTENCE]
    hits = checker.store.search(checker.claim_vectors([claim]), 5)[0]
    analyse.cache_clear()
    RuleJudge().judge([(claim, hit.sentence.text) for hit in hits])
    assert PARSES.count == before + 1 + len({hit.sentence.text for hit in hits})


def test_the_rules_read_only_pairs_that_share_enough_for_a_reason_to_stand(
    make_checker: Callable[..., Checker],
) -> None:
    """The cascade's first step: below the gate's floor only a copy could be kept, so the
    rules are not asked; every verdict, confidence and reason is the same as reading all."""
    checker = make_checker(nli_model="none")
    ingest_paths(checker, SEEDS)
    claims = [CLAIM, WITHDRAWAL_SENTENCE, "Talks were held in Yevlakh on Thursday."]
    pairs = [
        (claim, hit.sentence.text)
        for claim in claims
        for hit in checker.store.search(checker.claim_vectors([claim]), 20)[0]
    ]
    rules = CountingJudge(RuleJudge())
    cascaded = Checker(checker.settings, checker.store, rules, checker.embedder).judge_texts(pairs)
    assert 0 < len(rules.pairs) < len(pairs)
    gate, floor = checker.gate, checker.gate.settings.floor
    analyses = checker.analyser.analyse([text for pair in pairs for text in pair])
    for i, (a, b) in enumerate(pairs):
        sides = Sides(a, b, analyses[2 * i], analyses[2 * i + 1])
        everything = gate.decide(RuleJudge().judge([(a, b)])[0], sides)
        assert (cascaded[i].verdict, cascaded[i].confidence, cascaded[i].reasons) == (
            everything.verdict,
            everything.confidence,
            everything.reasons,
        )
        if (a, b) not in rules.pairs:
            assert sides.copy or not floor.shares(sides.alignment)
    assert any(j.verdict is Verdict.CONTRADICTS for j in cascaded)  # the seeds' pair


def test_a_pair_met_again_is_judged_once(analyser: Analyser) -> None:
    """A sentence syndicated by two outlets on one day is found twice: one judgement serves
    both. Dated a month later its anchor differs, and it is judged on its own."""
    [claim] = analyser.analyse([CLAIM])
    dates = ["2023-09-20", "2023-09-20", "2023-10-20"]
    first, copy, later = analyser.analyse([NO_FORCES_SENTENCE] * 3, dates)
    assert first == copy != later
    rules = CountingJudge(RuleJudge())
    gate = Gate(min_confidence=0.5, calibration=Calibration())
    pairs = [(CLAIM, claim, NO_FORCES_SENTENCE, side) for side in (first, copy, later)]
    found = judge_analysed(rules, gate, pairs)
    assert len(rules.pairs) == 2
    assert found[0] == found[1] and found[0].verdict is Verdict.CONTRADICTS
    assert found[2] == judge_analysed(RuleJudge(), gate, pairs[2:])[0]


def test_calibration_is_the_judged_share_of_right_flags_per_deciding_kind() -> None:
    labels = [("contradicts", "number", "real")] * 3 + [("contradicts", "number", "false")]
    labels += [("contradicts", "nli", "false")] * 2 + [("changed", "number", "update")]
    table = fit(labels)
    assert table["contradicts"]["number"] == {"flags": 4, "right": 3, "confidence": 0.667}
    assert table["contradicts"]["nli"]["confidence"] == 0.25
    assert table["contradicts"]["*"]["flags"] == 6
    assert table["changed"]["number"]["confidence"] == 0.667
    calibration = Calibration(
        {v: {k: row["confidence"] for k, row in kinds.items()} for v, kinds in table.items()}
    )
    assert calibration.confidence(Verdict.CONTRADICTS, "number", 0.9) == 0.667
    assert calibration.confidence(Verdict.CONTRADICTS, "entity", 0.7) == 0.5  # pooled: 3 of 6
    assert calibration.confidence(Verdict.SUPPORTS, "nli", 0.8) == 0.8  # supports: as read


def test_a_flag_shows_its_calibrated_confidence(analyser: Analyser) -> None:
    a = "Police say 30 people have died in the Queensland floods."
    b = "Police say 45 people have died in the Queensland floods."
    first, second = pair(analyser, a, b)
    [rules] = RuleJudge().judge([(a, b)])
    calibrated = Gate(0.5, calibration=Calibration({"contradicts": {"number": 0.42}}))
    result = calibrated.decide(rules, Sides(a, b, first, second))
    assert result.verdict is Verdict.CONTRADICTS and result.confidence == 0.42
    assert result.reasons[0].confidence == rules.confidence  # the rule's own reading is kept


def test_two_subjects_in_the_same_template_are_not_one_fact(analyser: Analyser) -> None:
    """Two celebrity death hoaxes: the date differs because the person does."""
    a = "Rumors of the singer's alleged demise gained traction on Monday after a 'R.I.P. Axl "
    a += "Rose' Facebook page attracted nearly one million likes."
    b = "Rumors of the singer's alleged demise gained traction on Sunday after a 'R.I.P. Willie "
    b += "Nelson' Facebook page attracted nearly one million likes."
    result = judged(analyser, a, b, extra=(nli(Verdict.CONTRADICTS, 0.98),))
    assert result.verdict is Verdict.RELATED


def test_two_spellings_or_the_initials_of_a_name_are_the_same_name(analyser: Analyser) -> None:
    a = "The photographer was working for Agence France Presse when he was taken in Syria."
    b = "The photographer was working for AFP when he was taken in Syria."
    assert judged(analyser, a, b).verdict is not Verdict.CONTRADICTS
    a = "Friends said Mohammed Emwazi was identified by the security services in 2010."
    b = "Friends said Mohammad Emwazi was identified by the security services in 2010."
    assert judged(analyser, a, b).verdict is not Verdict.CONTRADICTS


@pytest.mark.parametrize(
    "line",
    [
        "CNN's Holly Yan and Catherine E. Shoichet contributed to this report.",
        "This article originally appeared at Reuters.",
        "— Jane Doe (@janedoe) September 29, 2014",
    ],
)
def test_page_furniture_is_never_a_flag(analyser: Analyser, line: str) -> None:
    other = "CNN's Shimon Prokupecz contributed to this report."
    result = judged(analyser, line, other, extra=(nli(Verdict.CONTRADICTS, 0.97),))
    assert result.verdict is Verdict.RELATED


def test_a_model_contradiction_must_point_at_something_that_differs(analyser: Analyser) -> None:
    a = "Michael Madden, editor of the North Korea Leadership Watch, said the leader is "
    a += "desperate to build diplomatic ties with left-leaning European countries."
    b = "Michael Madden, editor of North Korea Leadership Watch, said the leader was desperate "
    b += "to build diplomatic ties with European countries that lean left."
    result = judged(analyser, a, b, extra=(nli(Verdict.CONTRADICTS, 0.95),))
    assert result.verdict is not Verdict.CONTRADICTS


def test_a_figure_of_an_unnamed_subject_is_not_another_companys(analyser: Analyser) -> None:
    a = "It has announced a profit of $536,000 for the year, up from a loss last year."
    b = "SunRice has announced a profit of $5 million for the year, up from a loss last year."
    assert judged(analyser, a, b).verdict is not Verdict.CONTRADICTS


# Real ABC rural sentences about one wheat contract, in two stories.
WHEAT_SIGNED = (
    "The Iraqi Grains Board told reporters overnight it had signed a contract to buy 500,000 "
    "tonnes of wheat at $US190 a tonne or around $US130 million in total."
)
WHEAT_FINALISED = (
    "The head of the Iraq Grains Board Khalil Aassi has told reporters the country will buy "
    "350,000 tonnes of wheat at $190 a tonne from the Wheat Australia consortium."
)


def test_the_speakers_own_pronoun_and_a_name_spelled_two_ways_are_one_subject(
    analyser: Analyser,
) -> None:
    # One speaker tells both ("The Iraqi Grains Board" / "The head of the Iraq Grains Board
    # ..."), so "it" is that speaker's account; "Iraqi" / "Iraq" is one name; "US130" a sum.
    assert not subjects_swapped(WHEAT_SIGNED, WHEAT_FINALISED)
    result = judged(analyser, WHEAT_SIGNED, WHEAT_FINALISED, published=(None, None))
    assert result.verdict is Verdict.CONTRADICTS
    assert "500,000 tonnes" in result.reasons[0].detail
    # Unattributed, "it" still names no one, and a pronoun speaker names no one either.
    unsaid = "It had signed a contract to buy 500,000 tonnes of wheat at $US190 a tonne."
    assert judged(analyser, unsaid, WHEAT_FINALISED).verdict is not Verdict.CONTRADICTS
    relayed = "He told reporters it had signed a contract to buy 500,000 tonnes of wheat."
    assert judged(analyser, relayed, WHEAT_FINALISED).verdict is not Verdict.CONTRADICTS
    # Another speaker's "it" may be anything it speaks of (here a virus, in ABC science news).
    hiv = "HIV now infects 40 million people around the world and has killed 25 million."
    who = "The World Health Organization says that it killed 1200 people infected between its "
    who += "discovery in 1976 and 2004."
    assert judged(analyser, hiv, who, published=(None, None)).verdict is not Verdict.CONTRADICTS


def test_two_prices_in_one_sentence_are_two_slots(analyser: Analyser) -> None:
    a = "The Apple Watch will start at $349, but the stainless steel version will start at $500."
    b = "Apple said the prices for the Apple Watch will start at $349."
    assert judged(analyser, a, b).verdict is not Verdict.CONTRADICTS


def test_the_journal_a_study_appears_in_is_not_a_discrepancy(analyser: Analyser) -> None:
    a = "The team publishes its findings today in the journal Science."
    b = "The team publishes its findings today in the journal Nature."
    assert judged(analyser, a, b).verdict is not Verdict.CONTRADICTS


@pytest.mark.parametrize(
    ("b", "contradicts"),
    [
        ("The crater left by the meteorite is 5 metres deep, the institute said.", False),
        ("The crater left by the meteorite is 9 metres deep, the institute said.", True),
    ],
)
def test_a_measure_in_other_units_is_the_same_measure(
    analyser: Analyser, b: str, contradicts: bool
) -> None:
    """16 feet is 4.9 metres: "5 metres" is the same depth rounded, "9 metres" is not."""
    a = "The crater left by the meteorite is 16 feet deep, the institute said."
    result = judged(analyser, a, b, extra=(nli(Verdict.CONTRADICTS, 0.9),))
    assert (result.verdict is Verdict.CONTRADICTS) is contradicts, result


def test_a_place_that_says_who_speaks_is_not_a_fact_told_two_ways(analyser: Analyser) -> None:
    """A US official and a State Department official, a White House and a Greenwich
    spokesman: two people who declined to comment, not one fact with two places."""
    for a, b in (
        ("A US official declined to comment on the report.",
         "A State Department official declined to comment on the report."),
        ("A White House spokesman declined to comment on Monday.",
         "A Greenwich spokesman declined to comment on Monday."),
    ):  # fmt: skip
        assert judged(analyser, a, b).verdict is not Verdict.CONTRADICTS
        assert judged(analyser, b, a).verdict is not Verdict.CONTRADICTS


def test_a_claim_a_report_relays_is_not_contradicted_by_its_denial(analyser: Analyser) -> None:
    """'... the report claimed' says what a report claims, not that it is so; a person who
    claims it (the seeds' Pashinyan) still stands behind it."""
    relayed = "The singer died in a car crash in Paris on Sunday, the report claimed."
    denied = "The singer did not die in a car crash in Paris on Sunday."
    result = judged(analyser, relayed, denied, extra=(nli(Verdict.CONTRADICTS, 0.95),))
    assert result.verdict is not Verdict.CONTRADICTS, result
    by_person = "The singer died in a car crash in Paris on Sunday, his manager claimed."
    result = judged(analyser, by_person, denied, extra=(nli(Verdict.CONTRADICTS, 0.95),))
    assert result.verdict is Verdict.CONTRADICTS, result


@pytest.mark.parametrize(
    ("b", "contradicts"),
    [
        ("The merger of the two miners is worth $7 million, the company said.", True),
        ("Australia's share of the Korean beef market is now worth $7 million.", False),
    ],
)
def test_what_a_sum_is_worth_of_is_its_slot(analyser: Analyser, b: str, contradicts: bool) -> None:
    """ "worth $5 million" says the value of the merger; a share of another market worth
    another sum is another fact (the issue's $327 million lamb / $600 million beef)."""
    a = "The merger of the two miners is worth $5 million, the company said."
    result = judged(analyser, a, b, extra=(nli(Verdict.CONTRADICTS, 0.9),))
    assert (result.verdict is Verdict.CONTRADICTS) is contradicts, result


def test_unable_to_is_a_denial_like_could_not(analyser: Analyser) -> None:
    """'could not verify' and 'was unable to verify' deny the same thing: a model reading of
    two such wordings as a contradiction has nothing that differs to point at."""
    a = "The network aired the tape but said it could not independently verify it."
    b = "The network aired the tape on Monday but was unable to independently verify it."
    first, second = pair(analyser, a, b)
    assert "verify" in first.negated and "verify" in second.negated
    result = judged(analyser, a, b, extra=(nli(Verdict.CONTRADICTS, 0.85),))
    assert result.verdict is not Verdict.CONTRADICTS, result


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Both deny the same thing; the one that also says what will happen is no conflict.
        ("'He said there will be a response like the group has never seen,' the senator said.",
         "The king said the group will see a response it has not seen before."),
        # What one side denies the other speaks of only inside its own denial.
        ("According to the ministry, there are no clinics in the town that can test for measles.",
         "Clinics in the town might be unable to even test for measles."),
        # A denial inside a denial asserts nothing: no guarantee the bank will not raise rates.
        ("Economists say there is no guarantee the central bank will not raise rates in June.",
         "The central bank is expected to raise rates in June."),
        # A claim the sentence only mentions ("allegations ... who said ...") is not asserted.
        ("The striker's agent responded on Monday to allegations made by a rival coach, who "
         "said the striker is serving a ban for a failed drug test.",
         "The striker is not serving a ban for failing a drug test, his agent said on Monday."),
        # A denial is met only where the other side asserts more of it than the one word.
        ("The country has exported no lamb to Korea in two years, growers say.",
         "Growers say the country's lamb will again be exported to Korea after a two-year ban."),
        # A contrast denies its second half, however it is worded.
        ("The three council advisers call themselves mediators instead of negotiators.",
         "The three council advisers call themselves mediators, not negotiators."),
    ],
)  # fmt: skip
def test_denials_on_both_sides_or_only_mentioned_are_no_conflict(
    analyser: Analyser, a: str, b: str
) -> None:
    """Judged FNC-1 flags (bench/results/fnc1_flags_s3c) had these shapes: a polarity
    'difference' read off words one side speaks of only inside a denial or a mentioned claim."""
    for x, y in ((a, b), (b, a)):
        result = judged(analyser, x, y, extra=(nli(Verdict.CONTRADICTS, 0.9),))
        assert result.verdict is not Verdict.CONTRADICTS, (x, y, result)


def test_none_of_a_subject_denies_its_clause(analyser: Analyser) -> None:
    """ "No ferries were cancelled" denies the cancelling that "Eleven ferries were cancelled"
    asserts, not merely ferries."""
    denied = "No ferries were cancelled in the harbour town on Friday."
    counted = "Eleven ferries were cancelled in the harbour town on Friday, the port said."
    first, _ = pair(analyser, denied, counted)
    assert "cancel" in first.unasserted
    assert judged(analyser, denied, counted).verdict is Verdict.CONTRADICTS


def test_a_denial_still_contradicts_what_the_other_asserts_beside_a_denial(
    analyser: Analyser,
) -> None:
    """The other side's own denial of something else does not hide what it asserts."""
    denied = "The striker is not serving a ban for a failed drug test, his agent said."
    asserted = (
        "According to one pundit who doesn't know anything, it's all a cover-up, and the "
        "striker is actually serving a secret ban for a failed drug test."
    )
    result = judged(analyser, denied, asserted)
    assert result.verdict is Verdict.CONTRADICTS, result


@pytest.mark.parametrize(
    ("cost", "contradicts"),
    [
        ("between $4,000 and $5,000", False),
        ("more than $4,000", False),
        ("$6,000", True),
        ("between $6,000 and $8,000", True),
    ],
)
def test_a_figure_inside_the_others_range_or_bound_agrees(
    analyser: Analyser, cost: str, contradicts: bool
) -> None:
    a = "The gold edition of the watch will cost $4,999 in the United States."
    b = f"The gold edition of the watch will cost {cost} in the United States."
    result = judged(analyser, a, b)
    assert (result.verdict is Verdict.CONTRADICTS) is contradicts, result


@pytest.mark.parametrize(
    ("a", "contradicts"),
    [
        ("Six shots can be heard on the tape, followed by a pause, then several more.", False),
        ("Six shots can be heard on the tape.", True),
    ],
)
def test_a_count_the_sentence_goes_past_is_a_lower_bound(
    analyser: Analyser, a: str, contradicts: bool
) -> None:
    b = "11 shots can be heard on the tape."
    first, _ = pair(analyser, a, b)
    assert any(v.norm.endswith("+") for v in first.values) is not contradicts
    result = judged(analyser, a, b)
    assert (result.verdict is Verdict.CONTRADICTS) is contradicts, result


def test_counts_of_one_noun_under_different_verbs_are_different_facts(
    analyser: Analyser,
) -> None:
    """Seven pupils fell ill; 28 pupils went on the trip: both true of one trip."""
    ill = "Seven pupils from the school fell ill during a five-day trip to the capital."
    went = "28 pupils from the school went on a five-day trip to the capital."
    first, second = pair(analyser, ill, went)
    assert {v.verb for v in first.values if v.norm == "7"} == {"fall"}
    assert {v.verb for v in second.values if v.norm == "28"} == {"go"}
    assert judged(analyser, ill, went).verdict is not Verdict.CONTRADICTS
    sick = "Twelve pupils from the school fell ill during a five-day trip to the capital."
    assert judged(analyser, ill, sick).verdict is Verdict.CONTRADICTS


def test_a_quoted_web_address_states_no_fact(analyser: Analyser) -> None:
    slug = "Its URL reads, 'bird-lands-on-mayor-during-speech-video-goes-viral'."
    denial = "A bird did not land on the mayor during his speech, the paper said."
    result = judged(analyser, slug, denial, extra=(nli(Verdict.CONTRADICTS, 0.9),))
    assert result.verdict is Verdict.RELATED, result


def test_a_bracketed_conversion_is_not_a_figure_of_the_story(analyser: Analyser) -> None:
    """Two outlets convert one reward at their own rates: '1 million pesos ($75,000)' /
    '1m pesos (£47,000)' state one reward, and '1m' is a million."""
    dollars = "Marchers carried a banner offering a 1 million peso ($75,000) reward for news."
    pounds = "Marchers carried a banner offering a 1m peso (£47,000) reward for news."
    first, second = pair(analyser, dollars, pounds)
    assert [v.norm for v in first.values] == [v.norm for v in second.values] == ["1e+06"]
    result = judged(analyser, dollars, pounds, extra=(nli(Verdict.CONTRADICTS, 0.6),))
    assert result.verdict is not Verdict.CONTRADICTS, result


def test_a_quote_given_at_more_length_is_a_copy(analyser: Analyser) -> None:
    short = (
        '"At least 10 smugglers have been caught crossing the river near the town," Smith added.'
    )
    longer = (
        'Smith said "at least 10 smugglers have been caught crossing the river near the town" '
        'and there are "dozens more that did not get caught by the patrols."'
    )
    result = judged(analyser, short, longer, extra=(nli(Verdict.CONTRADICTS, 0.6),))
    assert [r.kind for r in result.reasons] == ["copy"], result
    debunked = (
        "The claim that at least 10 smugglers have been caught crossing the river near the "
        "town is false, police said."
    )
    first, second = pair(analyser, short, debunked)
    assert not is_copy(short, debunked, first, second, align(first, second))


@pytest.mark.parametrize(
    ("attended", "contradicts"),
    [
        ("The mayor attended the harvest parade in the capital last year.", False),
        ("The mayor attended the harvest parade in the capital.", True),
    ],
)
def test_what_the_other_dates_in_the_past_is_another_occasion(
    analyser: Analyser, attended: str, contradicts: bool
) -> None:
    skipped = "The mayor did not attend the harvest parade in the capital, for the first time."
    result = judged(analyser, skipped, attended)
    assert (result.verdict is Verdict.CONTRADICTS) is contradicts, result


def test_a_fact_about_him_is_not_the_named_persons_fact(analyser: Analyser) -> None:
    """ "A reward for the smuggler Carlos Mendes's capture" names whose reward; "a reward for
    information on his whereabouts" does not, so their sums are not rival figures."""
    named = (
        "The government offers a $10 million reward for information leading to Carlos "
        "Mendes's capture."
    )
    his = "The government has offered a $7 million reward for information on his whereabouts."
    assert judged(analyser, named, his).verdict is not Verdict.CONTRADICTS
    both = "The government has offered a $7 million reward for information on Carlos Mendes."
    assert judged(analyser, named, both).verdict is Verdict.CONTRADICTS


def test_a_unit_written_onto_a_figure_is_a_unit_and_money_a_scale(analyser: Analyser) -> None:
    """ "12m wide" is twelve metres, "a 1m peso reward" a million pesos; "40-feet" is a
    measure too, so "12m (40ft) wide and 5m deep" / "40-feet wide and 16-feet deep" agree."""
    metres = "The blast left a crater 12m (40ft) wide and 5m deep, residents said."
    feet = "The blast left a crater that measured 40-feet wide and 16-feet deep, residents said."
    first, _ = pair(analyser, metres, "A 1m peso reward was offered.")
    assert [(v.text, v.norm) for v in first.values] == [("12m", "12"), ("5m", "5")]
    _, pesos = pair(analyser, metres, "A 1m peso reward was offered.")
    assert [(v.text, v.norm) for v in pesos.values] == [("1m", "1e+06")]
    result = judged(analyser, metres, feet, extra=(nli(Verdict.CONTRADICTS, 0.8),))
    assert result.verdict is not Verdict.CONTRADICTS, result


def test_a_hyphenated_figure_that_is_no_measure_is_judged_without_error(
    analyser: Analyser,
) -> None:
    """pint reads a unit as an expression: "12-year-old" once reached it as "year-old" (a
    year minus "old") and stopped a nightly scan with a TypeError."""
    for odd in ("year-old", "m.", "a", "km/h/s", "sq. ft", "per cent", "x*y", "(m)"):
        _measure(Value("number", "QUANTITY", f"12 {odd}", (0, 1), "12", ""))  # must not raise
    a = "The 12-year-old girl from the village won the national spelling contest on Sunday."
    b = "The 14-year-old girl from the village won the national spelling contest on Sunday."
    result = judged(analyser, a, b)
    assert result.verdict in (Verdict.CONTRADICTS, Verdict.RELATED), result


def test_one_countrys_two_names_are_one_place(analyser: Analyser) -> None:
    """A caption quoted as placing "America" on a slippery slope, and "United States" in
    another outlet's copy: one place, not the entity rule's different one."""
    a = "The video says the strikes place America on a slippery slope towards a new war."
    b = "The video says the strikes place United States on a slippery slope towards a new war."
    c = "The video says the strikes place France on a slippery slope towards a new war."
    assert judged(analyser, a, b).verdict is not Verdict.CONTRADICTS
    assert judged(analyser, a, c).verdict is Verdict.CONTRADICTS


def test_a_denial_without_a_place_does_not_reach_an_assertion_about_one(
    analyser: Analyser,
) -> None:
    """Judged FNC-1 flag: "the national threat level has not been raised" against "the threat
    level in Canada was raised" (another country). Naming the place in the denial still
    contradicts."""
    lifted = "The flood warning in Victoria was lifted on Tuesday, the bureau said."
    unplaced = "The national flood warning has not been lifted, the bureau said."
    placed = "The flood warning in Victoria has not been lifted, the bureau said."
    assert judged(analyser, unplaced, lifted).verdict is not Verdict.CONTRADICTS
    assert judged(analyser, placed, lifted).verdict is Verdict.CONTRADICTS


def test_a_denial_over_a_span_leaves_an_earlier_dated_event_open(analyser: Analyser) -> None:
    """Judged FNC-1 flag (minor): "Castro hasn't been seen in public in a year" against "the
    last time Castro was seen in public was Jan. 9, 2014": both true. Without the span the
    denial still contradicts the dated sighting."""
    dated = "The last time the minister was seen in public was March 3, 2021, officials said."
    spanned = "The minister hasn't been seen in public in a year, officials said."
    plain = "The minister has never been seen in public, officials said."
    for x, y in ((spanned, dated), (dated, spanned)):
        assert judged(analyser, x, y).verdict is not Verdict.CONTRADICTS
    assert judged(analyser, plain, dated).verdict is Verdict.CONTRADICTS


def test_a_denial_is_met_only_by_its_words_said_together(analyser: Analyser) -> None:
    """Judged ABC flag: "there was no difference in weight or fat loss between those two
    studies" against "eight weeks after starting the study, the scientists noticed a
    difference between the two high-calorie groups" (another study). The denial's other words
    must stand near the word the other side asserts, not anywhere in its sentence."""
    denied = (
        '"The two diets were the same, there was no difference in weight or fat loss between '
        'those two studies," says the lead author.'
    )
    apart = (
        "Eight weeks after starting the study, the scientists noticed a difference between "
        "the two high-calorie groups."
    )
    together = "The scientists noticed a difference in fat loss between the two diets."
    assert not meets(analyser, denied, apart)
    assert meets(analyser, denied, together)


def test_a_count_the_recogniser_missed_still_differs_in_its_slot(analyser: Analyser) -> None:
    """Judged ABC pair (update): the Mary River dam "would involve the resumption of 900
    properties" / "a smaller dam will be built, with the resumption of 500 properties". The
    entity recogniser tags no number on the first, so the figures were never compared."""
    planned = (
        "The Government is planning to build a 660,000 megalitre dam on the Mary River, which "
        "would involve the resumption of 900 properties."
    )
    smaller = "But he now says a smaller dam will be built, with the resumption of 500 properties."
    verdict = judged(analyser, planned, smaller, published=(None, None))
    assert verdict.verdict is Verdict.CONTRADICTS
    assert [r.kind for r in verdict.reasons][:1] == ["number"]


def test_a_rejected_suggestion_is_denied(analyser: Analyser) -> None:
    """Judged ABC pair (update): the minister "has rejected suggestions the Government could
    buy water from irrigators" / "the Federal Government will buy back water from Murray River
    irrigators". Rejecting a thing ("rejected the plan") denies nothing."""
    rejected = (
        "Meanwhile Mr McGauran has rejected suggestions the Government could buy water from "
        "irrigators to improve the health of the Murray River."
    )
    buying = (
        "The Federal Government will buy back water from Murray River irrigators to meet its "
        "targets for environmental flows."
    )
    plan = "Meanwhile Mr McGauran has rejected the plan to buy water from Murray River irrigators."
    assert meets(analyser, rejected, buying)
    assert not meets(analyser, plan, buying)
    verdict = judged(analyser, rejected, buying, published=(None, None))
    assert verdict.verdict is Verdict.CONTRADICTS


def test_a_span_of_time_with_a_figure_is_an_amount(analyser: Analyser) -> None:
    """ "The man was sentenced to six years in prison" / "... to four years in prison" was
    judged a copy: the recogniser calls both spans DATE, no two days differ, and no digits
    do. A span of time with a figure is now compared as numbers are; a span without one ("a
    year") or a time ("two years ago") stays a date."""
    six = "The man was sentenced to six years in prison."
    four = "The man was sentenced to four years in prison."
    first, second = pair(analyser, six, four)
    assert not is_copy(six, four, first, second, align(first, second))
    assert judged(analyser, six, four, extra=(nli(Verdict.CONTRADICTS, 0.99),)).verdict is (
        Verdict.CONTRADICTS
    )
    ago = analyser.analyse(["He was first sentenced two years ago, in a year of trials."], [None])
    assert {v.kind for v in ago[0].values} == {"date"}


def test_a_denial_is_not_met_by_a_narrower_kind_it_does_not_name(analyser: Analyser) -> None:
    """Judged ABC flag (false): a pliosaur's "no complete skeleton has been found" against a
    hominid's "the most complete hominid skeleton ever found". A kind the denier names
    ("the PGA Tour" / "a Tour suspension") is the same thing; no kind at all still meets it."""
    denial = (
        "Fossils of the species are known from several countries, but no complete skeleton "
        "has been found, the curator says."
    )
    narrower = "The museum holds the most complete dinosaur skeleton ever found in the region."
    plain = "A complete skeleton has been found in a quarry near the town, the curator says."
    tour = "Woods is not serving a suspension from the PGA Tour, his agent said."
    secret = "Woods is actually serving a secret Tour suspension for a failed drug test."
    assert not meets(analyser, denial, narrower)
    assert meets(analyser, denial, plain)
    assert meets(analyser, tour, secret)


def test_a_denial_naming_no_one_does_not_reach_an_assertion_about_named_people(
    analyser: Analyser,
) -> None:
    """Judged FNC-1 flag (false): "Witnesses don't agree on what happened next" (the Ottawa
    shooting) against "Many witnesses also agreed on what happened next: Officer Wilson's
    firearm went off inside the car" (Ferguson). Without the names the denial still meets it."""
    denial = "Witnesses don't agree on what happened next."
    named = (
        "Many witnesses agreed on what happened next: Officer Darren Wilson fired at Michael Brown."
    )
    unnamed = "Many witnesses agreed on what happened next: the officer fired twice."
    assert not meets(analyser, denial, named)
    assert meets(analyser, denial, unnamed)


def test_a_denied_request_is_not_met_by_a_request_for_something_else(
    analyser: Analyser,
) -> None:
    """Judged FNC-1 flag (false): "Comcast is not asking customers to stop using Tor" against
    "the Comcast agent asked the customer to tell him what sites he was accessing on the Tor
    browser": two requests. The same request, or asking with no complement, still meets it."""
    denial = "Comcast is not asking customers to stop using Tor, or any other browser."
    other_request = (
        "The Comcast agent then repeatedly asked the customer to tell him what sites he was "
        "accessing on the Tor browser."
    )
    same_request = "A Comcast agent asked customers to stop using Tor, the customer said."
    no_complement = "A Comcast agent asked customers about the Tor browser."
    assert not meets(analyser, denial, other_request)
    assert meets(analyser, denial, same_request)
    assert meets(analyser, denial, no_complement)


# Real ABC rural sentences: weekly wool-market reports, none of them dated.
FELL_19 = "The eastern market indicator fell 19 cents to 825 cents a kilogram."
FELL_18 = (
    "The eastern market indicator (EMI) fell 18 cents, to finish the week at 826 cents a kilogram."
)
DROPPED_6_CENTS = (
    "The eastern market indicator dropped six cents, to finish at 738 cents a kilogram clean."
)
DROPPED_6_PER_CENT = (
    "The eastern market indicator dropped off 6 per cent, to finish the week at 708 cents a "
    "kilogram clean."
)


def test_two_reports_of_one_move_disagree_though_neither_is_dated(analyser: Analyser) -> None:
    # 825 + 19 = 826 + 18: both start from 844 cents, so they report the same week's fall,
    # and the fall and the close they give cannot both be right.
    result = judged(analyser, FELL_19, FELL_18, published=(None, None))
    assert result.verdict is Verdict.CONTRADICTS
    assert result.reasons[0].kind == "number" and "19 cents" in result.reasons[0].detail


def test_moves_from_different_starting_levels_are_two_occasions(analyser: Analyser) -> None:
    # 738 + 6 = 744 cents against 708 / 0.94 = 753 cents: two weeks' sales, whatever a
    # reading of the wording says.
    result = judged(
        analyser,
        DROPPED_6_CENTS,
        DROPPED_6_PER_CENT,
        published=(None, None),
        extra=(nli(Verdict.CONTRADICTS, 0.84),),
    )
    assert result.verdict is Verdict.RELATED
    assert any(r.kind == "nli" for r in result.dissent)
