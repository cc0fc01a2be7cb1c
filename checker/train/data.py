"""The NLI training pairs: which files may be trained on, label normalisation, sentence orders.

Only the train files listed in `TRAIN_FILES` are read; dev/test files and ../shared/eval are held
apart for measuring, and `load_pairs` refuses them even when asked by name.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

LABELS = ("contradiction", "entailment", "neutral")

# The training split of every folder in ../shared/nli-train (see its README); ~95k pairs.
TRAIN_FILES = (
    "snli/train_subsets.jsonl",
    "conjnli/adversarial_train.jsonl",
    "vania_wiki/base_wiki_train.jsonl",
    "vania_wiki/sim_wiki_train.jsonl",
    "vania_wiki/translate_wiki_train.jsonl",
    "cad_snli/train.jsonl",
    "syntactic_aug_mnli/all.jsonl",
    "breaking_nli/all.jsonl",
    "mnli_taxinli/taxinli_train.jsonl",
    "negation_nli/mnli.jsonl",
    "negation_nli/snli.jsonl",
)

# Spellings seen in public NLI files. Numbers are deliberately absent: 0/1/2 mean different
# classes in different datasets, and guessing would silently swap labels.
_ALIASES = {
    "entailment": "entailment",
    "entails": "entailment",
    "entailed": "entailment",
    "e": "entailment",
    "neutral": "neutral",
    "n": "neutral",
    "contradiction": "contradiction",
    "contradicts": "contradiction",
    "contradictory": "contradiction",
    "c": "contradiction",
}


@dataclass(frozen=True)
class Pair:
    """One training example: does `premise` entail, contradict or leave open `hypothesis`?"""

    premise: str
    hypothesis: str
    label: str
    source: str
    # True when the relation holds in both directions (paraphrase, contradiction), so the
    # swapped pair keeps the label.
    symmetric: bool = False


def normalise_label(raw: object) -> str | None:
    """`entailment` / `neutral` / `contradiction` from a file's spelling; None if unknown."""
    if not isinstance(raw, str):
        return None
    return _ALIASES.get(raw.strip().lower())


def held_apart(path: Path) -> bool:
    """True for files kept for evaluation: ../shared/eval and every dev or test split."""
    name = path.name.lower()
    return "eval" in path.parts or any(part in name for part in ("dev", "test"))


def read_jsonl(path: Path, source: str, counts: Counter[str]) -> list[Pair]:
    """The usable pairs of one JSONL file; `counts` gains kept/dropped tallies under `source`."""
    if held_apart(path):
        raise ValueError(f"{path} is held apart for evaluation; never train on it")
    pairs = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            row = json.loads(line)
            label = normalise_label(row.get("label"))
            premise = str(row.get("premise") or "").strip()
            hypothesis = str(row.get("hypothesis") or "").strip()
            if label is None or not premise or not hypothesis:
                counts[f"{source}:dropped"] += 1
                continue
            symmetric = label == "contradiction"
            pairs.append(Pair(premise, hypothesis, label, source, symmetric))
            counts[f"{source}:{label}"] += 1
    return pairs


def load_pairs(root: Path, files: Sequence[str] = TRAIN_FILES) -> tuple[list[Pair], dict[str, int]]:
    """Every pair of `files` under `root`, in file order, and counts by file and label."""
    counts: Counter[str] = Counter()
    pairs: list[Pair] = []
    for name in files:
        path = root / name
        if not path.is_file():
            raise FileNotFoundError(f"training file {path} is missing (see {root}/README.md)")
        pairs += read_jsonl(path, name, counts)
    return pairs, dict(sorted(counts.items()))


def with_both_orders(pairs: Iterable[Pair]) -> list[Pair]:
    """The pairs, each followed by its swapped reading where the label survives the swap.

    Contradiction is symmetric, and so is a paraphrase marked `symmetric`. A plain entailment
    or neutral pair is not: "a man plays guitar outdoors" entails "a man plays guitar", never
    the reverse, and a neutral pair read backwards is often an entailment. Those are kept in
    their original order only, rather than given a label that is wrong for many of them.
    """
    out: list[Pair] = []
    for pair in pairs:
        out.append(pair)
        if pair.symmetric:
            out.append(
                Pair(pair.hypothesis, pair.premise, pair.label, pair.source + ":swapped", True)
            )
    return out


def label_counts(pairs: Iterable[Pair]) -> dict[str, int]:
    counts = Counter(pair.label for pair in pairs)
    return {label: counts[label] for label in LABELS}
