"""Synthetic NLI pairs from real news sentences (the ABC corpus): the discrepancies newsrooms meet.

Contradictions: a number, date, place or name changed, a negation inserted or removed.
Entailments: a harmless paraphrase ("said" -> "stated", a unit or date written another way, a
clause moved). Neutrals: two neighbouring sentences of one story, on the same topic but saying
different things (topic overlap is what fakes entailment). Every edit is a small regular
expression that returns None where it does not apply; `make_pairs` is deterministic for a seed.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from checker.train.data import Pair

Edit = Callable[[str, random.Random], str | None]

MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
PLACES = [
    "Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide", "Hobart", "Darwin", "Canberra",
    "Queensland", "Victoria", "Tasmania", "New South Wales", "Western Australia",
    "South Australia", "New Zealand", "China", "Japan", "Indonesia", "India", "Iraq", "Britain",
    "Canada", "Africa", "Europe", "America", "Asia", "Germany", "France", "Russia", "Brazil",
    "Argentina", "Antarctica",
]  # fmt: skip
_NUMBER_WORDS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]

_YEAR = re.compile(r"\b(19[5-9]\d|20[0-3]\d)\b")
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w,]*\d)")
_TITLE_NAME = re.compile(r"\b(Mr|Mrs|Ms|Dr|Professor) ([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b")
_AUX = re.compile(
    r"\b(is|are|was|were|will|can|could|would|should|has|have|had|must)\b (?!not\b|n't)"
)
_NEGATED = re.compile(
    r"\b(is|are|was|were|will|can|could|would|should|has|have|had|does|did|do) not\b"
)
_CONTRACTED = {
    "isn't": "is",
    "aren't": "are",
    "wasn't": "was",
    "weren't": "were",
    "won't": "will",
    "can't": "can",
    "couldn't": "could",
    "hasn't": "has",
    "haven't": "have",
    "hadn't": "had",
    "didn't": "did",
    "doesn't": "does",
}
_NEGATION_IDIOMS = re.compile(r"\bnot (only|just|least|necessarily|sure)\b|\bor not\b|\bif not\b")
_SAID = re.compile(r"\b(said|says|stated|states)\b")
_PARAPHRASE_VERB = {"said": "stated", "says": "states", "stated": "said", "states": "says"}
_UNITS = (
    (re.compile(r"(\d) per cent\b"), r"\1%"),
    (re.compile(r"(\d)%"), r"\1 per cent"),
    (re.compile(r"(\d) (kilometres|kilometers)\b"), r"\1 km"),
    (re.compile(r"(\d) (kilograms|kilos)\b"), r"\1 kg"),
    (re.compile(r"(\d) (millimetres|millimeters)\b"), r"\1 mm"),
    (re.compile(r"(\d) (centimetres|centimeters)\b"), r"\1 cm"),
    (re.compile(r"\$(\d+(?:\.\d+)?) (million|billion)\b"), r"\1 \2 dollars"),
)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}}) ({'|'.join(MONTHS)})\b")
_MONTH_DAY = re.compile(rf"\b({'|'.join(MONTHS)}) (\d{{1,2}})\b(?!,? \d{{4}}|\d)")
# '"The season was dry," he said.' -- ABC's way of ending a quotation.
_QUOTE_THEN_SPEAKER = re.compile(
    r'^"(?P<quote>[^"]{15,}),"\s+(?P<who>he|she|they|[A-Z][\w\' ]{2,40}?) (?P<verb>said|says)\.$'
)
_LEADING_CLAUSE = re.compile(
    r"^(?P<lead>(?:In|On|At|During|Last|This|Earlier|Yesterday|Today)\b[^,]{0,40}), "
    r"(?P<rest>.{20,})\.$"
)


def _pick(pattern: re.Pattern[str], text: str, rng: random.Random) -> re.Match[str] | None:
    matches = list(pattern.finditer(text))
    return rng.choice(matches) if matches else None


def _splice(text: str, match: re.Match[str], replacement: str, group: int = 0) -> str:
    return text[: match.start(group)] + replacement + text[match.end(group) :]


def change_number(text: str, rng: random.Random) -> str | None:
    match = _pick(_NUMBER, text, rng)
    if match is None or _YEAR.fullmatch(match.group(1)):
        return None
    value = int(match.group(1).replace(",", ""))
    new = rng.choice([value * 2, value + rng.randint(1, 9), max(1, value // 2) + (value == 1)])
    return _splice(text, match, f"{new:,}" if "," in match.group(1) else str(new), 1)


def change_date(text: str, rng: random.Random) -> str | None:
    options: list[tuple[re.Match[str], list[str] | None]] = [
        (m, MONTHS) for m in re.finditer(rf"\b({'|'.join(MONTHS)})\b", text)
    ]
    options += [(m, WEEKDAYS) for m in re.finditer(rf"\b({'|'.join(WEEKDAYS)})\b", text)]
    options += [(m, None) for m in _YEAR.finditer(text)]
    if not options:
        return None
    match, names = rng.choice(options)
    if names is None:
        new = str(int(match.group(1)) + rng.choice([-3, -2, -1, 1, 2, 3]))
    else:
        new = rng.choice([n for n in names if n != match.group(1)])
    return _splice(text, match, new, 1)


def change_place(text: str, rng: random.Random) -> str | None:
    found = [p for p in PLACES if re.search(rf"\b{p}\b", text)]
    if not found:
        return None
    old = rng.choice(found)
    new = rng.choice([p for p in PLACES if p not in found])
    return re.sub(rf"\b{old}\b", new, text)


def change_name(text: str, rng: random.Random, surnames: Sequence[str] = ()) -> str | None:
    match = _pick(_TITLE_NAME, text, rng)
    pool = (
        [
            s
            for s in surnames or ("Smith", "Jones", "Nguyen", "Brown", "Wilson")
            if s != match.group(2)
        ]
        if match
        else []
    )
    if match is None or not pool:
        return None
    # Every mention of the person changes, or the edited sentence would name both.
    return re.sub(rf"\b{match.group(2)}\b", rng.choice(pool), text)


def insert_negation(text: str, rng: random.Random) -> str | None:
    if _NEGATED.search(text) or "n't" in text:
        return None
    match = _AUX.search(text)  # the first auxiliary: usually the main clause's
    return None if match is None else _splice(text, match, f"{match.group(1)} not ")


def remove_negation(text: str, rng: random.Random) -> str | None:
    if _NEGATION_IDIOMS.search(text):
        return None
    match = _NEGATED.search(text)
    if match is not None:
        return _splice(text, match, match.group(1))
    for contracted, plain in _CONTRACTED.items():
        if re.search(rf"\b{contracted}", text, flags=re.IGNORECASE):
            return re.sub(rf"\b{contracted}", plain, text, count=1)
    return None


def paraphrase_verb(text: str, rng: random.Random) -> str | None:
    match = _pick(_SAID, text, rng)
    return None if match is None else _splice(text, match, _PARAPHRASE_VERB[match.group(1)])


def reformat_unit(text: str, rng: random.Random) -> str | None:
    for pattern, replacement in _UNITS:
        if pattern.search(text):
            return pattern.sub(replacement, text, count=1)
    match = _pick(re.compile(rf"\b({'|'.join(_NUMBER_WORDS)})\b(?= [a-z])"), text, rng)
    if match is not None:
        return _splice(text, match, str(_NUMBER_WORDS.index(match.group(1)) + 2))
    return None


def reformat_date(text: str, rng: random.Random) -> str | None:
    match = _DAY_MONTH.search(text)
    if match is not None:
        return _splice(text, match, f"{match.group(2)} {match.group(1)}")
    match = _MONTH_DAY.search(text)
    return None if match is None else _splice(text, match, f"{match.group(2)} {match.group(1)}")


def reorder_clause(text: str, rng: random.Random) -> str | None:
    match = _QUOTE_THEN_SPEAKER.match(text)
    if match is not None:
        who = match.group("who")
        return f'{who[0].upper()}{who[1:]} {match.group("verb")}: "{match.group("quote")}."'
    match = _LEADING_CLAUSE.match(text)
    if match is None:
        return None
    lead, rest = match.group("lead"), match.group("rest")
    return f"{rest[0].upper()}{rest[1:]} {lead[0].lower()}{lead[1:]}."


CONTRADICTIONS: dict[str, Edit] = {
    "number": change_number,
    "date": change_date,
    "place": change_place,
    "name": change_name,
    "negation_inserted": insert_negation,
    "negation_removed": remove_negation,
}
ENTAILMENTS: dict[str, Edit] = {
    "said_stated": paraphrase_verb,
    "unit_format": reformat_unit,
    "date_format": reformat_date,
    "clause_reorder": reorder_clause,
}


def read_stories(corpus: Path) -> list[list[str]]:
    """The ABC stories under `corpus` (*.txt), each as its sentences without the headline.

    The files differ in encoding (rural.txt UTF-8, science.txt Latin-1 with CRLF): each is
    decoded as it is. Only whole, ordinary sentences are kept (6 to 50 words, ending in a full
    stop), since fragments make poor premises.
    """
    stories = []
    for path in sorted(corpus.glob("*.txt")):
        if path.name.lower().startswith("readme"):
            continue
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        for block in text.replace("\r\n", "\n").split("\n\n"):
            lines = [line.strip() for line in block.splitlines() if line.strip()]
            sentences = [s for s in lines[1:] if _usable(s)]
            if sentences:
                stories.append(sentences)
    return stories


def _usable(sentence: str) -> bool:
    return 6 <= len(sentence.split()) <= 50 and sentence.endswith((".", '."'))


def make_pairs(stories: Sequence[Sequence[str]], count: int, seed: int) -> list[Pair]:
    """About `count` pairs, kinds taken in turn (contradiction, entailment, neutral balanced).

    Deterministic: the same stories, count and seed give the same pairs in the same order.
    Each pair is marked symmetric (a changed fact contradicts, a paraphrase entails and two
    sentences of a story stay neutral whichever comes first), so both orders are trained.
    """
    rng = random.Random(seed)
    sentences = [s for story in stories for s in story]
    rng.shuffle(sentences)
    surnames = sorted({m.group(2) for s in sentences for m in _TITLE_NAME.finditer(s)})
    edits: list[tuple[str, str, Edit]] = [
        ("contradiction", kind, edit) for kind, edit in CONTRADICTIONS.items()
    ] + [("entailment", kind, edit) for kind, edit in ENTAILMENTS.items()]
    neighbours = _neighbours(stories, rng)
    # A third of the pairs neutral; the rest split evenly over the edit kinds.
    plan = ["neutral"] * (count // 3) + [f"{i}" for i in range(count - count // 3)]
    cursors = [0] * len(edits)
    pairs: list[Pair] = []
    for step, slot in enumerate(plan):
        if slot == "neutral":
            if neighbours:
                first, second = neighbours[step % len(neighbours)]
                pairs.append(Pair(first, second, "neutral", "synthetic:same_story", True))
            continue
        which = int(slot) % len(edits)
        label, kind, edit = edits[which]
        found = _next_edit(sentences, cursors, which, edit, rng, surnames)
        if found is not None:
            pairs.append(Pair(found[0], found[1], label, f"synthetic:{kind}", True))
    return pairs


def _next_edit(
    sentences: Sequence[str],
    cursors: list[int],
    which: int,
    edit: Edit,
    rng: random.Random,
    surnames: Sequence[str],
) -> tuple[str, str] | None:
    """The next sentence (from this edit's own cursor) the edit applies to, and its edit."""
    while cursors[which] < len(sentences):
        sentence = sentences[cursors[which]]
        cursors[which] += 1
        edited = (
            change_name(sentence, rng, surnames) if edit is change_name else edit(sentence, rng)
        )
        if edited is not None and edited != sentence:
            return sentence, edited
    return None


def _neighbours(stories: Sequence[Sequence[str]], rng: random.Random) -> list[tuple[str, str]]:
    pairs = [(a, b) for story in stories for a, b in itertools.pairwise(story)]
    rng.shuffle(pairs)
    return pairs
