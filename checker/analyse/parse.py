"""From a parsed sentence to what judging compares (pure: a spaCy Doc in, plain data out).

- values: numbers (CARDINAL, MONEY, QUANTITY, PERCENT, and counts the recogniser missed),
  dates (DATE, TIME) and names (GPE, PERSON, ORG, ...) with a comparable `norm` and the
  lemma they attach to (`head`);
- lemmas: the content words that are none of those and not the attribution: the
  value-masked form that alignment compares;
- predicate and subject of the main clause (the reported clause when the sentence is
  attributed), and what the sentence denies, debunks or only mentions
  (`checker.analyse.denials`);
- classifiers: the nouns that narrow a noun ("hominid skeleton");
- complements: the verb a verb's open complement names ("asking customers [to stop]");
- words: every token with its lemma, part of speech, whether it is a stopword or part of a
  name, and its dependency label and head, which the rules walk (`checker.judge.rules.text`)
  instead of tokenising again.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from checker.analyse.anchor import resolve_day
from checker.analyse.denials import CONTENT_POS, denied_and_unasserted
from checker.types import Value, Word

NUMBER_LABELS = frozenset({"CARDINAL", "MONEY", "QUANTITY", "PERCENT"})
DATE_LABELS = frozenset({"DATE", "TIME"})
NAME_LABELS = frozenset(
    {"GPE", "LOC", "PERSON", "ORG", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
)
_SCALES = {"hundred": 1e2, "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6,
           "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12}  # fmt: skip
_SMALL = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen", "twenty")  # fmt: skip
_WORDS = {w: float(i) for i, w in enumerate(_SMALL)} | {
    "thirty": 30.0, "forty": 40.0, "fifty": 50.0, "sixty": 60.0, "seventy": 70.0,
    "eighty": 80.0, "ninety": 90.0, "dozen": 12.0, "a": 1.0, "an": 1.0}  # fmt: skip
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class Parts:
    lemmas: tuple[str, ...]
    values: tuple[Value, ...]
    predicate: str | None
    subject: str | None
    negated: tuple[str, ...]
    unasserted: tuple[str, ...]
    classifiers: tuple[tuple[str, str], ...]
    complements: tuple[tuple[str, str], ...]
    debunked: tuple[str, ...]
    words: tuple[Word, ...]


def sentence_parts(doc: Any, attributed: frozenset[int], published: str | None) -> Parts:
    """`attributed`: the indices of the attribution's tokens (`find_attribution`), which are
    not part of the fact the sentence states."""
    values = tuple(
        value
        for ent in (*doc.ents, *unlabelled_counts(doc))
        if not attributed.intersection(range(ent.start, ent.end)) and not _conversion(ent)
        for value in [_value(ent, published)]
        if value is not None
    )
    in_values = {
        i for ent in doc.ents if ent.label_ in _VALUE_LABELS for i in range(ent.start, ent.end)
    }
    lemmas = tuple(
        t.lemma_.casefold()
        for t in doc
        if t.pos_ in CONTENT_POS
        and not t.is_stop
        and t.i not in in_values
        and t.i not in attributed
        and not t.like_num
    )
    clause = _main_clause(doc, attributed)
    negated, unasserted, debunked = denied_and_unasserted(doc)
    return Parts(
        words=sentence_words(doc),
        lemmas=lemmas,
        values=values,
        predicate=clause.lemma_.casefold() if clause is not None else None,
        subject=_subject_of(clause),
        negated=tuple(sorted(negated)),
        unasserted=tuple(sorted(unasserted)),
        classifiers=_classifiers(doc, attributed),
        complements=_complements(doc),
        debunked=tuple(sorted(debunked)),
    )


def sentence_words(doc: Any) -> tuple[Word, ...]:
    """Every token but whitespace, as the rules read it, its head counted in these words."""
    kept = [t for t in doc if not t.is_space]
    place = {t.i: n for n, t in enumerate(kept)}
    return tuple(
        Word(
            span=(t.idx, t.idx + len(t.text)),
            lemma=t.lemma_.casefold(),
            pos=t.pos_,
            tag=t.tag_,
            stop=t.is_stop,
            name=t.ent_type_ in NAME_LABELS,
            dep=t.dep_,
            head=place.get(t.head.i, n) - n,  # a head that is whitespace: none
        )
        for n, t in enumerate(kept)
    )


_VALUE_LABELS = NUMBER_LABELS | DATE_LABELS | NAME_LABELS
_NOUNS = frozenset({"NOUN", "PROPN"})


def _classifiers(doc: Any, attributed: frozenset[int]) -> tuple[tuple[str, str], ...]:
    """(noun, the noun that narrows it) for each noun-noun compound: "hominid skeleton",
    "Tour suspension", "drug test"."""
    pairs = {
        (str(t.head.lemma_.casefold()), str(t.lemma_.casefold()))
        for t in doc
        if t.dep_ == "compound"
        and t.pos_ in _NOUNS
        and t.head.pos_ in _NOUNS
        and t.i not in attributed
    }
    return tuple(sorted(pairs))


def _complements(doc: Any) -> tuple[tuple[str, str], ...]:
    """(verb, the verb of its open complement) for each verb that takes one: "asking
    customers to stop" -> ("ask", "stop"). What is asked, tried or planned is the complement,
    so one verb with two complements speaks of two acts. Attribution included: "asked the
    customer to tell him" reads as an agent telling, and the request is still a fact."""
    pairs = {
        (str(t.head.lemma_.casefold()), str(t.lemma_.casefold()))
        for t in doc
        if t.dep_ == "xcomp" and t.pos_ == "VERB" and t.head.pos_ == "VERB"
    }
    return tuple(sorted(pairs))


def _value(ent: Any, published: str | None) -> Value | None:
    label = ent.label_
    span = (ent.start_char - ent.sent.start_char, ent.end_char - ent.sent.start_char)
    if label in NUMBER_LABELS:
        suffix = _glued_suffix(ent)
        money = label == "MONEY" or _currency_follows(ent, suffix)
        scale = f" {suffix}" if money and suffix in _SCALES else ""
        number = parse_number(ent.text + scale)
        if number is None:
            return None
        norm = _plain(number) + ("+" if _partial(ent) else "")
        text = ent.text + suffix  # "12m": the unit (or scale) the tokenizer split off
        span = (span[0], span[1] + len(suffix))
        return Value("number", label, text, span, norm, _counted(ent), _verb_of(ent))
    if label in DATE_LABELS and (length := _duration(ent.text)) is not None:
        # "sentenced to six years": how long, an amount compared as numbers are.
        return Value("number", label, ent.text, span, length, _counted(ent), _verb_of(ent))
    if label in DATE_LABELS:
        day = resolve_day(ent.text, published)
        norm = day or ent.text.casefold()
        return Value("date", label, ent.text, span, norm, _governor(ent.root))
    if label in NAME_LABELS:
        norm = re.sub(r"^the\s+", "", ent.text.casefold()).strip()
        return Value("entity", label, ent.text, span, norm, _governor(ent.root))
    return None


_YEAR = re.compile(r"(?:1[89]|20)\d\d")


def unlabelled_counts(doc: Any) -> list[Any]:
    """Counts the entity recogniser missed, as CARDINAL spans: a figure that counts a noun
    ("the resumption of [900] properties") outside every entity. A bare year-like figure
    ("the 2006 season") is left out: the recogniser's misses there are dates, not counts."""
    from spacy.tokens import Span

    spans = []
    for token in doc:
        if token.dep_ != "nummod" or token.pos_ != "NUM" or not token.like_num:
            continue
        start = token.i
        while start > 0 and _part_of_figure(doc[start - 1], token):
            start -= 1  # "2.2 million": the scale word counts, its figure hangs on it
        figure = doc[start : token.i + 1]
        if any(t.ent_type_ for t in figure) or _YEAR.fullmatch(figure.text):
            continue
        spans.append(Span(doc, start, token.i + 1, label="CARDINAL"))
    return spans


def _part_of_figure(word: Any, number: Any) -> bool:
    return word.like_num and word.head.i == number.i and word.dep_ in ("compound", "quantmod")


# A span of time given with a figure: "six years", "30-day", "more than two weeks". Not "a
# year" (a span told without a count), nor "two years ago" or "the past six years" (when).
_SPAN_OF_TIME = re.compile(
    r"^(?:(?:about|nearly|almost|more than|at least|up to|over|under)\s+)?"
    r"(?P<count>[\w.,]+)[\s-]+"
    r"(?P<unit>second|minute|hour|day|week|fortnight|month|year|decade)s?$",
    re.IGNORECASE,
)


def _duration(text: str) -> str | None:
    """The norm of a span of time with a figure ("6 year"), else None."""
    match = _SPAN_OF_TIME.match(text.strip())
    if match is None or match["count"].casefold() in ("a", "an"):
        return None
    number = parse_number(match["count"])
    return None if number is None else f"{_plain(number)} {match['unit'].casefold()}"


def _conversion(ent: Any) -> bool:
    """A figure in brackets right after another one restates it in other units or money:
    "1 million pesos ($75,000)" / "1m pesos (£47,000)", "105 miles (170 kilometres)". Outlets
    convert at their own rates, so it is not a figure of the story."""
    doc = ent.doc
    opening = next(
        (t for t in doc[max(ent.start - 2, 0) : ent.start] if t.text == "("), None
    )  # "(170 km)" or "(£47,000)"
    if ent.label_ not in NUMBER_LABELS or opening is None:
        return False
    before = doc[max(opening.i - 3, 0) : opening.i]
    return any(t.ent_type_ in NUMBER_LABELS or t.like_num for t in before)


def _glued_suffix(ent: Any) -> str:
    """Letters the tokenizer split off a figure it was written onto: "1m" is "1" and "m"."""
    after = ent.doc[ent.end : ent.end + 1]
    glued = ent.doc[ent.end - 1].whitespace_ == "" and len(after) == 1 and after[0].is_alpha
    return after[0].lower_ if glued and len(after[0]) <= 3 else ""


# Money named after a figure: "1m pesos" is a million pesos, where "12m wide" is metres.
_CURRENCIES = frozenset(
    {"peso", "dollar", "euro", "pound", "yen", "yuan", "rupee", "rand", "franc", "rouble",
     "ruble", "krone", "krona", "won", "lira", "dinar", "shekel", "baht", "ringgit", "real"}
)  # fmt: skip


def _currency_follows(ent: Any, suffix: str) -> bool:
    following = ent.doc[ent.end + (1 if suffix else 0) : ent.end + 3]
    return any(t.lemma_.casefold() in _CURRENCIES for t in following)


def parse_number(text: str) -> float | None:
    """The number a numeric phrase states ("$327 million" -> 327e6, "three" -> 3)."""
    words = re.findall(r"[a-z]+|\d+(?:[.,]\d+)*", text.casefold())
    value: float | None = None
    for word in words:
        if _NUMBER.fullmatch(word):
            try:
                value = float(word.replace(",", ""))
            except ValueError:
                return None
        elif word in _WORDS and value is None:
            value = _WORDS[word]
        elif word in _SCALES and value is not None:
            value *= _SCALES[word]
    return value


def _verb_of(ent: Any) -> str:
    """The verb whose subject or object the counted thing is: "seven girls [fell] pregnant"
    and "28 girls [went] on the trip" count girls of two different facts."""
    node = ent.root.head if ent.root.dep_ == "nummod" else ent.root
    for _ in range(6):
        if node.pos_ == "VERB":
            return str(node.lemma_.casefold())
        if node.dep_ == "ROOT" or node.dep_ in ("relcl", "acl"):
            return ""
        node = node.head
    return ""


def _partial(ent: Any) -> bool:
    """A count the sentence goes past: "six shots can be heard, then several more" heard
    more than six (its norm carries a "+"). Only "more" of the same verb counts: in "five
    were killed and dozens more injured" the five are all the dead."""
    verb = ent.root.head.head if ent.root.dep_ == "nummod" else ent.root.head
    return any(
        t.lower_ == "more" and t.dep_ != "amod" and t.head.i == verb.i and t.i > ent.end
        for t in ent.doc
    )


def _plain(number: float) -> str:
    return f"{number:.6g}"


# "worth $327 million" says what something is worth: the slot is that thing, not "worth".
_VALUATIONS = frozenset({"worth", "valued", "priced"})


def _counted(ent: Any) -> str:
    """What a number counts: the noun it modifies ("300 sheep"), or the thing it values
    ("a market worth $327 million", "the share is worth $600 million"), else the noun after it."""
    root = ent.root
    if root.dep_ in ("nummod", "quantmod", "compound", "amod", "nmod", "npadvmod"):
        head = root.head
        if head.lemma_.casefold() in _VALUATIONS:
            return _valued(head) or str(head.lemma_.casefold())
        return str(head.lemma_.casefold())
    for token in ent.doc[ent.end : ent.end + 4]:
        if token.pos_ in ("NOUN", "PROPN"):
            return str(token.lemma_.casefold())
    return _governor(root)


def _valued(word: Any) -> str | None:
    """What `word` ("worth") says the value of: the noun it modifies, or its clause's subject."""
    if word.dep_ == "amod" and word.head.pos_ in ("NOUN", "PROPN"):
        return str(word.head.lemma_.casefold())
    if word.dep_ in ("acomp", "attr", "oprd", "advcl", "xcomp", "ccomp"):
        # "a market worth ..." as a clause of its own has the subject; "is worth", its verb.
        clause = word if any(c.dep_ == "nsubj" for c in word.children) else word.head
        for _ in range(2):  # "... has grown, and is now worth": a conjunct shares the subject
            subject = next((c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if subject is not None:
                return str(subject.lemma_.casefold())
            if clause.dep_ != "conj":
                break
            clause = clause.head
    return None


def _governor(token: Any) -> str:
    """The content word a value hangs on: through prepositions and name parts to a noun or
    verb ("landed in Lyon" -> land)."""
    node = token
    for _ in range(4):
        if node.dep_ in ("pobj", "prep", "compound", "poss", "appos", "nummod", "pcomp"):
            node = node.head
            continue
        break
    if node.i == token.i or node.pos_ not in ("NOUN", "VERB", "PROPN", "ADJ", "AUX"):
        node = token.head
    return str(node.lemma_.casefold())


def _main_clause(doc: Any, attributed: Collection[int]) -> Any | None:
    roots = [t for t in doc if t.dep_ == "ROOT"]
    if not roots:
        return None
    root = roots[0]
    if root.i in attributed:  # "X said [the plane landed]": the fact is the reported clause
        reported = next((c for c in root.children if c.dep_ in ("ccomp", "parataxis")), None)
        if reported is not None:
            return reported
    return root


def _subject_of(clause: Any | None) -> str | None:
    if clause is None:
        return None
    for child in clause.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            return str(child.lemma_.casefold())
        if child.dep_ == "expl":  # "there are no forces": the subject is what exists
            attr = next((c for c in clause.children if c.dep_ in ("attr", "dobj")), None)
            return str(attr.lemma_.casefold()) if attr is not None else None
    return None
