"""`Analysis` as compact JSON, as stored beside each sentence."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any, overload

from checker.types import Analysis, Attribution, Value, Word


def analysis_to_json(analysis: Analysis) -> str:
    data: dict[str, Any] = {
        "v": analysis.version,
        "lemmas": list(analysis.lemmas),
        "values": [
            [v.kind, v.label, v.text, v.span[0], v.span[1], v.norm, v.head, v.verb]
            for v in analysis.values
        ],
        "predicate": analysis.predicate,
        "subject": analysis.subject,
        "negated": list(analysis.negated),
        "unasserted": list(analysis.unasserted),
        "anchor": analysis.anchor,
        "anchor_source": analysis.anchor_source,
        "classifiers": [list(pair) for pair in analysis.classifiers],
        "complements": [list(pair) for pair in analysis.complements],
    }
    if analysis.debunked:
        data["debunked"] = list(analysis.debunked)
    data["words"] = words_to_text(analysis.words)
    if analysis.attribution is not None:
        a = analysis.attribution
        data["attribution"] = [a.speaker, a.verb, a.span[0], a.span[1]]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def analysis_from_json(raw: str) -> Analysis:
    data = json.loads(raw)
    who = data.get("attribution")
    return Analysis(
        version=data["v"],
        lemmas=tuple(data["lemmas"]),
        values=tuple(
            Value(kind, label, text, (start, end), norm, head, *rest)
            for kind, label, text, start, end, norm, head, *rest in data["values"]
        ),
        predicate=data["predicate"],
        subject=data["subject"],
        negated=tuple(data["negated"]),
        unasserted=tuple(data.get("unasserted", ())),
        attribution=Attribution(who[0], who[1], (who[2], who[3])) if who else None,
        anchor=data["anchor"],
        anchor_source=data["anchor_source"],
        classifiers=tuple((noun, kind) for noun, kind in data.get("classifiers", ())),
        complements=tuple((verb, act) for verb, act in data.get("complements", ())),
        debunked=tuple(data.get("debunked", ())),
        words=StoredWords(data.get("words", "")),
    )


# The words as one string: start, length, pos, tag, flags (1 = stopword, 2 = in a name),
# dependency label, the head's offset and lemma separated by spaces, the words by "|" (a
# lemma's own "%" and "|" written %25 and %7C).
# One string, because most stored analyses are loaded for the gate alone, which never reads
# the words: JSON then only copies the string, and `StoredWords` splits it when a rule first
# reads it. Separators JSON need not escape keep that copy cheap (tabs and newlines made it a
# third slower to load).
_STOP, _NAME = 1, 2


def words_to_text(words: Sequence[Word]) -> str:
    return "|".join(
        f"{w.span[0]} {w.span[1] - w.span[0]} {w.pos} {w.tag} "
        f"{(_STOP if w.stop else 0) | (_NAME if w.name else 0)} {w.dep or '-'} {w.head} "
        f"{_escaped(w.lemma)}"
        for w in words
    )


def _escaped(lemma: str) -> str:
    if "%" in lemma or "|" in lemma:
        return lemma.replace("%", "%25").replace("|", "%7C")
    return lemma


def _unescaped(lemma: str) -> str:
    if "%" in lemma:
        return lemma.replace("%7C", "|").replace("%25", "%")
    return lemma


class StoredWords(Sequence[Word]):
    """A stored analysis's words, decoded from `words_to_text`'s string when first read."""

    __slots__ = ("_text", "_words")

    def __init__(self, text: str) -> None:
        self._text = text
        self._words: tuple[Word, ...] | None = None

    def _decoded(self) -> tuple[Word, ...]:
        if self._words is None:
            self._words = tuple(_word(part) for part in self._text.split("|") if part)
        return self._words

    def __bool__(self) -> bool:
        return bool(self._text)

    def __len__(self) -> int:
        return len(self._decoded())

    def __iter__(self) -> Iterator[Word]:
        return iter(self._decoded())

    @overload
    def __getitem__(self, index: int) -> Word: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Word, ...]: ...
    def __getitem__(self, index: int | slice) -> Word | tuple[Word, ...]:
        return self._decoded()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StoredWords):
            return self._text == other._text
        return isinstance(other, Sequence) and self._decoded() == tuple(other)

    def __hash__(self) -> int:
        return hash(self._decoded())

    def __repr__(self) -> str:
        return f"StoredWords({len(self)} words)"

    def __reduce__(self) -> tuple[type[StoredWords], tuple[str]]:
        return (StoredWords, (self._text,))


def _word(part: str) -> Word:
    start, length, pos, tag, flags, dep, head, lemma = part.split(" ", 7)
    first, bits = int(start), int(flags)
    span = (first, first + int(length))
    stop, name = bool(bits & _STOP), bool(bits & _NAME)
    return Word(span, _unescaped(lemma), pos, tag, stop, name, "" if dep == "-" else dep, int(head))
