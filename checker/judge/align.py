"""Alignment: do two sentences state the same fact about the same subject?

Only statements about the same thing can disagree, and only they can support each other.
`align` compares two stored analyses (no parsing here):

- the value-masked content: content lemmas plus the names both share, numbers and dates left
  out, so "$327 million" against "$600 million" is judged on what the sums are *of*;
- the subject and predicate of the main (or reported) clause;
- the value slots: numbers, dates and names that hang on the same word ("landed in Lyon" /
  "landed in Geneva") but differ.

`is_copy` recognises one sentence reprinted: the same words once attribution (who said it,
to whom, the reporting verb), quotes, case and punctuation are set aside, with at most a
typo or an added descriptor between them, and no number or denial changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from checker.types import Analysis, Span, Value

# Words too common to say two sentences speak of the same thing.
_LIGHT = frozenset({"be", "have", "do", "say", "tell", "make", "get", "take", "go", "come"})
# A copy differs from its original by little more than this (difflib ratio on words).
COPY_MIN_RATIO = 0.86
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Alignment:
    """How far two sentences state the same fact, and what differs between them.

    `overlap`: shared value-masked content over the smaller side's (0–1); `shared`: those
    words; `same_subject` / `same_predicate`: the main clauses agree; `differing`: value pairs
    in the same slot (same kind, same word they hang on) with different values.
    """

    overlap: float
    shared: tuple[str, ...]
    same_subject: bool
    same_predicate: bool
    differing: tuple[tuple[Value, Value], ...]

    def agrees(self, min_overlap: float, min_shared: int) -> bool:
        """Same fact: enough shared content, and the same subject or predicate."""
        return (
            self.overlap >= min_overlap
            and len(self.shared) >= min_shared
            and (self.same_subject or self.same_predicate)
        )

    def evidence(self) -> str:
        parts = [f"shared: {', '.join(self.shared[:8]) or 'nothing'}"]
        if self.same_subject or self.same_predicate:
            parts.append(
                "same "
                + " and ".join(
                    n
                    for n, ok in (
                        ("subject", self.same_subject),
                        ("predicate", self.same_predicate),
                    )
                    if ok
                )
            )
        for a, b in self.differing[:3]:
            parts.append(f"{a.text!r} vs {b.text!r} ({a.head or a.label})")
        return f"overlap {self.overlap:.2f}; " + "; ".join(parts)

    def differing_spans(self) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
        return tuple(a.span for a, _ in self.differing), tuple(b.span for _, b in self.differing)


def content(analysis: Analysis) -> frozenset[str]:
    """Content lemmas and names: what the sentence is about, values masked."""
    names = {v.norm for v in analysis.values if v.kind == "entity"}
    return frozenset(w for w in analysis.lemmas if w not in _LIGHT) | names


def align(a: Analysis, b: Analysis) -> Alignment:
    ca, cb = content(a), content(b)
    shared = ca & cb
    smaller = min(len(ca), len(cb))
    overlap = len(shared) / smaller if smaller else 0.0
    return Alignment(
        overlap=round(overlap, 4),
        shared=tuple(sorted(shared)),
        same_subject=_same(a.subject, b.subject, ca, cb),
        same_predicate=_same(a.predicate, b.predicate, ca, cb),
        differing=_differing(a, b),
    )


def _same(x: str | None, y: str | None, cx: frozenset[str], cy: frozenset[str]) -> bool:
    """One side's subject (or predicate) is the other's, or among the other's words."""
    if x and x not in _LIGHT and (x == y or x in cy):
        return True
    return bool(y and y not in _LIGHT and y in cx)


def _differing(a: Analysis, b: Analysis) -> tuple[tuple[Value, Value], ...]:
    """Value pairs in the same slot with different values, where neither value also appears
    on the other side ("Lyon and Geneva" against "Geneva" is not a difference)."""
    a_norms = {v.norm for v in a.values}
    b_norms = {v.norm for v in b.values}
    a_words, b_words = _name_words(a), _name_words(b)
    pairs = []
    for va in a.values:
        if va.norm in b_norms or _named(va, b_words):
            continue
        for vb in b.values:
            if (
                vb.norm not in a_norms
                and not _named(vb, a_words)
                and vb.kind == va.kind
                and _same_class(va, vb)
                and va.head
                and va.head == vb.head
            ):
                pairs.append((va, vb))
                break
    return tuple(pairs)


# The small English model often calls a city an ORG and a country a LOC: labels of one
# group name the same kind of slot.
_PLACES = frozenset({"GPE", "LOC", "FAC", "ORG"})


def _name_words(analysis: Analysis) -> frozenset[str]:
    """Every word of the sentence's names and content lemmas."""
    words = {w for v in analysis.values if v.kind == "entity" for w in _WORD.findall(v.norm)}
    return frozenset(words | set(analysis.lemmas))


def _named(value: Value, other_words: frozenset[str]) -> bool:
    """A name the other sentence also uses, in part ("Nagorno-Karabakh" / "Karabakh",
    "Pashinyan" / "Nikol Pashinyan"): the same thing, not a different one."""
    return value.kind == "entity" and any(w in other_words for w in _WORD.findall(value.norm))


def _same_class(a: Value, b: Value) -> bool:
    if a.kind != "entity":
        return True
    return a.label == b.label or (a.label in _PLACES and b.label in _PLACES)


def is_copy(a_text: str, b_text: str, a: Analysis, b: Analysis) -> bool:
    """One sentence reprinted (see the module docstring)."""
    if {v.norm for v in a.values if v.kind == "number"} != {
        v.norm for v in b.values if v.kind == "number"
    }:
        return False
    if set(a.negated) != set(b.negated):
        return False
    wa, wb = _copy_words(a_text, a), _copy_words(b_text, b)
    if not wa or not wb:
        return False
    return SequenceMatcher(None, wa, wb, autojunk=False).ratio() >= COPY_MIN_RATIO


def _copy_words(text: str, analysis: Analysis) -> list[str]:
    """The sentence's words without its attribution (speaker and reporting verb)."""
    who = analysis.attribution
    if who is not None:
        start, end = who.span
        text = text[:start] + " " + text[end:]
        verb = re.escape(who.verb)
        text = re.sub(rf"\b{verb}\b", " ", text, count=1)
    return _WORD.findall(text.casefold())
