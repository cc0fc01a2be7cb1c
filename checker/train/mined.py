"""NLI pairs mined from real text (issue 12): what a scan meets, labelled by construction.

- neutral: a sentence and its nearest neighbours (by the checker's own sentence embedder) from
  *other* stories, the pairs a scan judges most often; near-duplicates (token Jaccard >= 0.8)
  are skipped, since those may be copies of one fact;
- entailment: a sentence and a near-copy of it as another outlet would print it (an outlet
  credit added or changed, "said" -> "told reporters", curly against straight quotes, a UK/US
  spelling, a case variant, punctuation, an appositive or a sentence adverb dropped), and the
  paraphrases of `synthetic.ENTAILMENTS`;
- contradiction: the edits of `synthetic.CONTRADICTIONS` (a number, date, place, name or
  polarity changed), each balanced by an entailing near-copy of the same sentence, and some
  made on top of a near-copy, so that neither "one word differs" nor "the credit differs"
  decides the label;
- debunkings (`--debunks N`, none by default): a sentence against a report that calls it
  false (contradiction), true (entailment) or only relays it (neutral), the same sentence in
  all three so that the report's frame is not the signal, and another story's debunking
  (neutral) so that "false" alone is not either; with `--debunk-reports`, also the report's
  existence against its debunking ("Reports that X appeared online" / "Reports that X are
  false": neutral), so that mentioning a report is not read as contradicting its refutation.
  FNC-1's "disagree" bodies debunk a claim in
  such words, and the shipped model does not read them as contradictions
  (`python -m bench.refutation_probe --nli`).

Stories (an ABC story; a Wikipedia page of the VitaminC evidence) are split into train and dev
by a hash of their id, before any pairing: no dev sentence is ever in a training pair.
`../shared/corpora/fnc1_train` is never read here (evaluation only; its license allows no
training). Everything is deterministic for a seed and the embedder's vectors.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from checker.train import synthetic

Edit = Callable[[str, random.Random], str | None]


@dataclass(frozen=True)
class Sentence:
    text: str
    story: str  # "abc:<file>:<n>" or "vitaminc:<page title>"


@dataclass(frozen=True)
class Mined:
    premise: str
    hypothesis: str
    label: str
    # neighbour, copy:<edit>, paraphrase:<edit>, edit:<edit>, edit+copy:<edit>, debunk:<frame>
    kind: str
    story: str
    symmetric: bool = True

    def as_row(self) -> dict[str, object]:
        return {
            "premise": self.premise,
            "hypothesis": self.hypothesis,
            "label": self.label,
            "kind": self.kind,
            "story": self.story,
            "symmetric": self.symmetric,
        }


# --- near-copies: how the same sentence reads in another outlet --------------------------------

OUTLETS = (
    "the Associated Press", "Reuters", "AFP", "AAP", "the ABC", "the BBC", "Bloomberg",
    "The Guardian", "CNN", "the New York Times",
)  # fmt: skip
_CREDITED = re.compile(
    r",? (?:the )?(?:Associated Press|Reuters|AFP|AAP|ABC|BBC|Bloomberg|Guardian|CNN|"
    r"New York Times) (?:reported|said|reports)(?=\.$)|, according to [A-Z][\w ]{2,25}(?=\.$)"
)
_SAID_END = re.compile(r"\b(he|she|they|[A-Z][a-z]+) (said|says)\.$")
_SAID_ANY = re.compile(r"\b(said|says)\b")
_VERBS = {
    "said": ("stated", "told reporters", "added", "explained", "noted"),
    "says": ("states", "tells reporters", "adds", "explains", "notes"),
}
_SPELLING = (
    ("organisation", "organization"), ("organise", "organize"), ("recognise", "recognize"),
    ("realise", "realize"), ("criticise", "criticize"), ("centre", "center"),
    ("programme", "program"), ("defence", "defense"), ("colour", "color"),
    ("favour", "favor"), ("behaviour", "behavior"), ("neighbour", "neighbor"),
    ("per cent", "percent"), ("metres", "meters"), ("litres", "liters"),
    ("analyse", "analyze"), ("licence", "license"), ("travelled", "traveled"),
    ("fertiliser", "fertilizer"), ("tonnes", "tons"), ("catalogue", "catalog"),
)  # fmt: skip
_APPOSITIVE = re.compile(r"(?<=[a-z]), (?:a|an|the) [a-z][\w\- ]{3,40}?, (?=[a-z])")
_SENTENCE_ADVERB = re.compile(
    r"^(However|Meanwhile|Also|Still|Now|Indeed|Instead|Separately|Earlier|Later|Overall), "
)
_ALSO = re.compile(r"\b(also|now|still) (?=[a-z])")


def add_credit(text: str, rng: random.Random) -> str | None:
    """An outlet credit appended, or an existing one changed to another outlet."""
    outlet = rng.choice(OUTLETS)
    found = _CREDITED.search(text)
    if found is not None:
        return text[: found.start()] + f", {outlet} reported" + text[found.end() :]
    said = _SAID_END.search(text)
    if said is not None and rng.random() < 0.5:
        told = "tells" if said.group(2) == "says" else "told"
        return text[: said.start(2)] + f"{told} {outlet}."
    if not text.endswith("."):
        return None
    verb = rng.choice(("reported", "said", "reports"))
    return text[:-1] + f", {outlet} {verb}."


def change_verb(text: str, rng: random.Random) -> str | None:
    match = synthetic._pick(_SAID_ANY, text, rng)
    if match is None:
        return None
    return synthetic._splice(text, match, rng.choice(_VERBS[match.group(1)]))


def change_quotes(text: str, rng: random.Random) -> str | None:
    if '"' in text:
        parts = text.split('"')
        if len(parts) % 2 == 0:
            return None
        return "".join(
            part + ("" if i == len(parts) - 1 else ("\u201c" if i % 2 == 0 else "\u201d"))
            for i, part in enumerate(parts)
        )
    if "\u201c" in text or "\u201d" in text:
        return text.replace("\u201c", '"').replace("\u201d", '"')
    if "'" in text:
        return text.replace("'", "\u2019")
    return None


def change_spelling(text: str, rng: random.Random) -> str | None:
    options = []
    for uk, us in _SPELLING:
        for old, new in ((uk, us), (us, uk)):
            if re.search(rf"\b{old}", text):
                options.append((old, new))
    if not options:
        return None
    old, new = rng.choice(options)
    return re.sub(rf"\b{old}", new, text)


def change_case(text: str, rng: random.Random) -> str | None:
    words = [m for m in re.finditer(r"\b[A-Z][a-z]{3,}\b", text) if m.start() > 0]
    if words and rng.random() < 0.6:
        match = rng.choice(words)
        return synthetic._splice(text, match, match.group(0).upper())
    lower = [m for m in re.finditer(r"\b(government|minister|council|department|court)\b", text)]
    if lower:
        match = rng.choice(lower)
        return synthetic._splice(text, match, match.group(0).capitalize())
    return None


def change_punctuation(text: str, rng: random.Random) -> str | None:
    choices: list[str] = []
    if text.endswith(".") and rng.random() < 0.3:  # applies everywhere: kept rarer
        choices.append(text[:-1])
    if " - " in text:
        choices.append(text.replace(" - ", " \u2013 "))
    if re.search(r"\w, and ", text):
        choices.append(re.sub(r"(\w), and ", r"\1 and ", text, count=1))
    if re.search(r"\d,\d{3}\b", text):
        choices.append(re.sub(r"(\d),(\d{3})\b", r"\1\2", text))
    if ": " in text:
        choices.append(text.replace(": ", " - ", 1))
    return rng.choice(choices) if choices else None


def drop_modifier(text: str, rng: random.Random) -> str | None:
    """An appositive, a sentence adverb or "also" dropped (the copy says less, never other)."""
    for pattern in (_APPOSITIVE, _SENTENCE_ADVERB, _ALSO):
        match = pattern.search(text)
        if match is None:
            continue
        shorter = (
            text[: match.start()] + (" " if pattern is _APPOSITIVE else "") + text[match.end() :]
        )
        shorter = shorter.replace("  ", " ")
        return shorter[0].upper() + shorter[1:]
    return None


COPIES: dict[str, Edit] = {
    "credit": add_credit,
    "verb": change_verb,
    "quotes": change_quotes,
    "spelling": change_spelling,
    "case": change_case,
    "punctuation": change_punctuation,
    "modifier": drop_modifier,
}
# A copy that says less is entailed by the original, not the other way round.
_ONE_WAY = {"modifier"}


def near_copy(text: str, rng: random.Random, kinds: Sequence[str] = ()) -> tuple[str, str] | None:
    """One or two near-copy edits applied in turn: (the first edit's name, the copy)."""
    names = list(kinds) or rng.sample(sorted(COPIES), len(COPIES))
    wanted = 1 if rng.random() < 0.7 else 2
    done: list[str] = []
    copy = text
    for name in names:
        edited = COPIES[name](copy, rng)
        if edited is not None and edited != copy:
            copy, done = edited, [*done, name]
            if len(done) == wanted:
                break
    return (done[0] if len(done) == 1 else "+".join(sorted(done)), copy) if done else None


# --- sentences ---------------------------------------------------------------------------------


def abc_sentences(corpus: Path) -> list[Sentence]:
    """The usable ABC sentences with their story (see `synthetic.read_stories`)."""
    return [
        Sentence(text, f"abc:{n}")
        for n, story in enumerate(synthetic.read_stories(corpus))
        for text in story
    ]


def vitaminc_sentences(path: Path) -> list[Sentence]:
    """The distinct evidence passages of VitaminC, grouped by Wikipedia page, detokenised."""
    seen: dict[str, Sentence] = {}
    with path.open(encoding="utf-8") as rows:
        for line in rows:
            premise = json.loads(line)["premise"]
            title, _, evidence = premise.partition(": ")
            text = detokenise(evidence)
            if "\ufffd" in text or not 6 <= len(text.split()) <= 50:
                continue
            seen.setdefault(text, Sentence(text, f"vitaminc:{title}"))
    return list(seen.values())


def detokenise(text: str) -> str:
    """VitaminC's tokenised style ("sales , with 9 % .") written as prose."""
    text = text.replace("-LRB-", "(").replace("-RRB-", ")").replace("\u00a0", " ")
    text = re.sub(r" ([,.;:%!?)])", r"\1", text)
    text = re.sub(r"\( ", "(", text)
    text = re.sub(r" 's\b", "'s", text)
    return re.sub(r"\s+", " ", text).strip()


def is_dev(story: str, fraction: float, seed: int) -> bool:
    digest = hashlib.sha256(f"{seed}:{story}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < fraction


# --- pairs -------------------------------------------------------------------------------------


def neighbour_pairs(
    sentences: Sequence[Sentence],
    vectors: np.ndarray,
    per_sentence: int,
    seed: int,
    min_cosine: float = 0.35,
    share: float = 0.5,
) -> list[Mined]:
    """A `share` of the sentences, each with its nearest neighbours from other stories,
    labelled neutral."""
    rng = random.Random(seed)
    stories = np.array([s.story for s in sentences])
    out: list[Mined] = []
    chunk = 1024
    for start in range(0, len(sentences), chunk):
        block = vectors[start : start + chunk] @ vectors.T
        for row, scores in enumerate(block):
            i = start + row
            if rng.random() >= share:
                continue
            scores[stories == stories[i]] = -1.0  # other stories only
            top = np.argpartition(-scores, 12)[:12]
            top = top[np.argsort(-scores[top])]
            taken = 0
            for j in top:
                if scores[j] < min_cosine or taken == per_sentence:
                    break
                a, b = sentences[i].text, sentences[int(j)].text
                if jaccard(a, b) >= 0.8:
                    continue  # maybe a copy of one fact: not a clean neutral
                first, second = (a, b) if rng.random() < 0.5 else (b, a)
                out.append(Mined(first, second, "neutral", "neighbour", sentences[i].story))
                taken += 1
    return out


def edit_pairs(sentences: Sequence[Sentence], count: int, seed: int) -> list[Mined]:
    """About `count` pairs of one sentence and an edit of it, a third of each label kind:
    contradiction edits (half of them on top of a near-copy), the near-copy of the same
    sentence as its entailing twin, and synthetic paraphrases."""
    rng = random.Random(seed)
    order = list(sentences)
    rng.shuffle(order)
    surnames = sorted({m.group(2) for s in order for m in synthetic._TITLE_NAME.finditer(s.text)})
    contradictions = list(synthetic.CONTRADICTIONS.items())
    paraphrases = list(synthetic.ENTAILMENTS.items())
    out: list[Mined] = []
    for turn, sentence in enumerate(order, start=1):
        if len(out) >= count:
            break
        text = sentence.text
        name, edit = contradictions[turn % len(contradictions)]
        edited = (
            synthetic.change_name(text, rng, surnames)
            if edit is synthetic.change_name
            else edit(text, rng)
        )
        if edited is not None and edited != text:
            if rng.random() < 0.5:
                copied = near_copy(edited, rng)
                kind = f"edit+copy:{name}" if copied else f"edit:{name}"
                edited = copied[1] if copied else edited
            else:
                kind = f"edit:{name}"
            out.append(Mined(text, edited, "contradiction", kind, sentence.story))
            twin = near_copy(text, rng)
            if twin is not None:
                out.append(_copy_pair(text, twin, sentence.story))
        else:
            twin = near_copy(text, rng)
            if twin is not None and rng.random() < 0.25:
                out.append(_copy_pair(text, twin, sentence.story))
        pname, paraphrase = paraphrases[turn % len(paraphrases)]
        said = paraphrase(text, rng)
        if said is not None and said != text and rng.random() < 0.5:
            out.append(Mined(text, said, "entailment", f"paraphrase:{pname}", sentence.story))
    return out


def _copy_pair(text: str, twin: tuple[str, str], story: str) -> Mined:
    name, copy = twin
    one_way = any(part in _ONE_WAY for part in name.split("+"))
    return Mined(text, copy, "entailment", f"copy:{name}", story, symmetric=not one_way)


# --- debunkings: a fact against a report that calls it false, true, or only relays it ----------

DEBUNKED = (
    "Reports that {} are false.", "The claim that {} is a hoax.",
    "There is no truth to reports that {}.", "It is not true that {}.",
    "Claims that {} have been debunked.",
)  # fmt: skip
CONFIRMED = (
    "Reports that {} are true.", "It has been confirmed that {}.", "It is true that {}.",
    "Claims that {} have been confirmed.",
)  # fmt: skip
RELAYED = (
    "Reports that {} have been widely shared.", "Officials are looking into claims that {}.",
    "Readers have asked about reports that {}.",
)  # fmt: skip
# A report's existence, which its debunking does not deny: "Reports that X appeared online"
# and "Reports that X are false" are both true of one hoax (neutral). Without these, a model
# taught the debunkings reads any mention of the reports as contradicting their refutation.
REPORTED = (
    "Reports that {} appeared online.", "Several outlets reported that {}.",
    "Reports that {} circulated on social media.", "A local newspaper reported that {}.",
)  # fmt: skip
# A capitalised first word that is no name, so it reads lower case inside a clause.
_COMMON_OPENERS = frozenset(
    ("a", "an", "the", "this", "that", "these", "those", "there", "it", "its", "some", "many",
     "most", "more", "several", "few", "all", "both", "each", "every", "no", "one", "two",
     "three", "four", "five", "six", "seven", "eight", "nine", "ten")
)  # fmt: skip
_REPORTED = re.compile(r"[\"“”‘’]|\b(?:said|says|told|according|reported|claimed)\b|\?$")


def as_clause(text: str) -> str | None:
    """The sentence as a "that" clause ("The dam is full." -> "the dam is full"), or None
    for one that cannot be embedded cleanly: a question, a quotation, reported speech (whose
    truth is the speaker's), or one too short or long to be one plain statement."""
    words = text.split()
    if not 6 <= len(words) <= 30 or not text.endswith(".") or _REPORTED.search(text):
        return None
    if not words[0][:1].isupper() or words[0].casefold().rstrip(",") in ("but", "and", "so"):
        return None
    first = words[0].casefold() if words[0].casefold() in _COMMON_OPENERS else words[0]
    return " ".join([first, *words[1:]])[:-1]


def debunk_pairs(
    sentences: Sequence[Sentence], count: int, seed: int, reported: bool = False
) -> list[Mined]:
    """About `count` pairs: for each usable sentence its debunking (contradiction), its
    confirmation (entailment) and a report relaying it (neutral); with `reported`, also the
    report's existence against its debunking (neutral, `REPORTED`); and, for every other
    one, another story's debunking (neutral)."""
    rng = random.Random(seed)
    clauses = [(s, c) for s in sentences if (c := as_clause(s.text)) is not None]
    rng.shuffle(clauses)
    out: list[Mined] = []
    for turn, (sentence, clause) in enumerate(clauses):
        if len(out) >= count:
            break
        text, story = sentence.text, sentence.story
        # A debunking often restates only the gist: half the time, the clause up to its first
        # comma. Confirming a part then says less than the sentence: entailment one way only.
        head = clause.split(",", 1)[0]
        part = rng.random() < 0.5 and head != clause and len(head.split()) >= 5
        said = head if part else clause
        for label, kind, frames in (
            ("contradiction", "debunk:false", DEBUNKED),
            ("entailment", "debunk:true", CONFIRMED),
            ("neutral", "debunk:relayed", RELAYED),
        ):
            hypothesis = rng.choice(frames).format(said)
            one_way = part and label == "entailment"
            out.append(Mined(text, hypothesis, label, kind, story, symmetric=not one_way))
        if reported:
            existence, debunking = rng.choice(REPORTED), rng.choice(DEBUNKED)
            pair = (existence.format(said), debunking.format(said))
            out.append(Mined(*pair, "neutral", "debunk:reported", story, symmetric=True))
        if turn % 2 or len(clauses) < 2:
            continue
        other, other_clause = clauses[(turn + 1 + rng.randrange(len(clauses) - 1)) % len(clauses)]
        if other.story != story:
            hypothesis = rng.choice(DEBUNKED).format(other_clause)
            out.append(Mined(text, hypothesis, "neutral", "debunk:other-story", story))
    return out


def jaccard(a: str, b: str) -> float:
    x, y = set(_words(a)), set(_words(b))
    return len(x & y) / max(1, len(x | y))


def _words(text: str) -> Iterator[str]:
    return (w.lower() for w in re.findall(r"\w+", text))


def mine(
    sentences: Sequence[Sentence],
    vectors: np.ndarray,
    seed: int = 13,
    dev_fraction: float = 0.1,
    neighbours_per_sentence: int = 1,
    edits: int = 100000,
    debunks: int = 0,
    debunk_reports: bool = False,
) -> tuple[list[Mined], list[Mined]]:
    """(train, dev) pairs; dev stories are split off before any pairing."""
    dev_mask = np.array([is_dev(s.story, dev_fraction, seed) for s in sentences])
    split: list[list[Mined]] = []
    for want_dev in (False, True):
        index = np.flatnonzero(dev_mask == want_dev)
        part = [sentences[int(i)] for i in index]
        share = dev_fraction if want_dev else 1 - dev_fraction
        pairs = neighbour_pairs(part, vectors[index], neighbours_per_sentence, seed)
        pairs += edit_pairs(part, int(edits * share), seed)
        if debunks:
            pairs += debunk_pairs(part, int(debunks * share), seed, debunk_reports)
        random.Random(seed).shuffle(pairs)
        split.append(pairs)
    return split[0], split[1]


def write_jsonl(pairs: Sequence[Mined], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with _open_for_writing(path) as out:
        for pair in pairs:
            out.write(json.dumps(pair.as_row(), ensure_ascii=False) + "\n")


def _open_for_writing(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "wt", encoding="utf-8")
    return path.open("w", encoding="utf-8")


def build(
    corpus: Path,
    vitaminc: Path | None,
    out: Path,
    seed: int = 13,
    edits: int = 100000,
    debunks: int = 0,
    debunk_reports: bool = False,
) -> dict[str, object]:
    """Embeds the sentences with the checker's embedder, mines, writes out/{train,dev}.jsonl.gz
    and out/mined.json (the recipe and counts)."""
    from collections import Counter

    from checker.embed import load_embedder
    from checker.settings import Settings

    sentences = abc_sentences(corpus)
    if vitaminc is not None:
        sentences += vitaminc_sentences(vitaminc)
    out.mkdir(parents=True, exist_ok=True)
    cache = out / "vectors.npy"
    settings = Settings()
    if cache.is_file():
        vectors = np.load(cache)
    else:
        embedder = load_embedder(settings)
        vectors = embedder.encode([s.text for s in sentences])
        np.save(cache, vectors)
    if len(vectors) != len(sentences):
        raise ValueError(f"{cache} holds {len(vectors)} vectors for {len(sentences)} sentences")
    train, dev = mine(
        sentences, vectors, seed=seed, edits=edits, debunks=debunks, debunk_reports=debunk_reports
    )
    write_jsonl(train, out / "train.jsonl.gz")
    write_jsonl(dev, out / "dev.jsonl.gz")
    record: dict[str, object] = {
        "recipe": {
            "corpus": str(corpus),
            "vitaminc": str(vitaminc) if vitaminc else None,
            "embedding_model": settings.embedding_model,
            "seed": seed,
            "edits": edits,
            "debunks": debunks,
            "debunk_reports": debunk_reports,
            "dev_fraction": 0.1,
            "neighbours_per_sentence": 1,
        },
        "sentences": len(sentences),
        "train": dict(sorted(Counter(f"{p.label}:{p.kind.split(':')[0]}" for p in train).items())),
        "dev": dict(sorted(Counter(f"{p.label}:{p.kind.split(':')[0]}" for p in dev).items())),
    }
    (out / "mined.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Mine NLI pairs from news and Wikipedia text.")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpora/abc"))
    parser.add_argument(
        "--vitaminc", type=Path, default=Path("../shared/nli-train/vitaminc_bigbench/train.jsonl")
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--edits", type=int, default=100000, help="at most this many edit pairs")
    parser.add_argument(
        "--debunks", type=int, default=0, help="about this many debunking pairs (default none)"
    )
    parser.add_argument(
        "--debunk-reports",
        action="store_true",
        help="with --debunks: also a report's existence against its debunking (neutral)",
    )
    args = parser.parse_args()
    if "fnc1" in str(args.corpus).lower():
        raise SystemExit("fnc1_train is for evaluation only: never mined for training")
    record = build(
        args.corpus,
        args.vitaminc,
        args.out,
        args.seed,
        args.edits,
        args.debunks,
        args.debunk_reports,
    )
    print(json.dumps(record, indent=2))
