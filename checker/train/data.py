"""The NLI training pairs: which files may be trained on, label normalisation, sentence orders.

Only the train files listed in `TRAIN_FILES` are read; dev/test files and ../shared/eval are held
apart for measuring, and `load_pairs` refuses them even when asked by name. A file may be stored
gzipped (`name.gz` beside or instead of `name`), as the device copy of the data is.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

LABELS = ("contradiction", "entailment", "neutral")

# The first model's training files (issue 3), ~95k pairs.
FIRST_FILES = (
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
# The training split of every folder in ../shared/nli-train (see its README): ~205k pairs.
TRAIN_FILES = (
    *FIRST_FILES,
    "vitaminc_bigbench/train.jsonl",
    "hans_regen/train.jsonl",
    "dnc_megaveridicality/train.jsonl",
    "help_conj_disj/train.jsonl",
    "med/train.jsonl",
    "bigbench_epistemic_reasoning/train.jsonl",
    "tracie_temporal/train.jsonl",
    "bigbench_presuppositions_nli/train.jsonl",
    "scifact_rte/train.jsonl",
)
# Loss weights: templated sets (HANS, DNC, HELP) teach their templates if weighted fully, and
# Breaking NLI's one-word swaps teach "one word differs = contradiction" (issue 12).
SOURCE_WEIGHTS = (
    ("hans_regen/train.jsonl", 0.3),
    ("dnc_megaveridicality/train.jsonl", 0.5),
    ("help_conj_disj/train.jsonl", 0.5),
    ("breaking_nli/all.jsonl", 0.5),
)
# Dev splits the run is measured on while it trains (held apart: never trained on).
DEV_FILES = ("snli/dev.jsonl", "cad_snli/dev.jsonl", "conjnli/dev.jsonl")

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
    weight: float = 1.0  # the pair's share of the loss


def normalise_label(raw: object) -> str | None:
    """`entailment` / `neutral` / `contradiction` from a file's spelling; None if unknown."""
    if not isinstance(raw, str):
        return None
    return _ALIASES.get(raw.strip().lower())


def held_apart(path: Path) -> bool:
    """True for files kept for evaluation: ../shared/eval and every dev or test split."""
    name = path.name.lower()
    return "eval" in path.parts or any(part in name for part in ("dev", "test"))


def stored(path: Path) -> Path:
    """`path`, or its gzipped copy `path.gz` where only that exists."""
    zipped = path.with_name(path.name + ".gz")
    return zipped if not path.is_file() and zipped.is_file() else path


def read_jsonl(
    path: Path, source: str, counts: Counter[str], weight: float = 1.0, for_training: bool = True
) -> list[Pair]:
    """The usable pairs of one JSONL file (gzipped if it ends in .gz); `counts` gains
    kept/dropped tallies under `source`. A row's own "symmetric" field, where present, says
    whether its label survives a swap; otherwise only contradictions do."""
    if for_training and held_apart(path):
        raise ValueError(f"{path} is held apart for evaluation; never train on it")
    pairs = []
    with open_text(path) as lines:
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
            symmetric = bool(row.get("symmetric", label == "contradiction"))
            pairs.append(Pair(premise, hypothesis, label, source, symmetric, weight))
            counts[f"{source}:{label}"] += 1
    return pairs


def open_text(path: Path) -> IO[str]:
    """A text file for reading, gunzipped on the fly if its name ends in .gz."""
    return (
        gzip.open(path, "rt", encoding="utf-8")
        if path.suffix == ".gz"
        else path.open(encoding="utf-8")
    )


def load_pairs(
    root: Path,
    files: Sequence[str] = TRAIN_FILES,
    weights: Sequence[tuple[str, float]] = (),
) -> tuple[list[Pair], dict[str, int]]:
    """Every pair of `files` under `root`, in file order, and counts by file and label."""
    counts: Counter[str] = Counter()
    pairs: list[Pair] = []
    weight_of = dict(weights)
    for name in files:
        path = stored(root / name)
        if not path.is_file():
            raise FileNotFoundError(f"training file {path} is missing (see {root}/README.md)")
        pairs += read_jsonl(path, name, counts, weight_of.get(name, 1.0))
    return pairs, dict(sorted(counts.items()))


def held_out(pair: Pair, fraction: float) -> bool:
    """True for the `fraction` of a file's pairs kept as a dev split, chosen by premise: every
    pair of one premise falls on the same side, so no premise is both trained on and measured."""
    digest = hashlib.sha256(pair.premise.encode()).digest()
    return int.from_bytes(digest[:4], "big") < fraction * 2**32


def split_held_out(
    pairs: Sequence[Pair], holdout: Sequence[tuple[str, float]]
) -> tuple[list[Pair], dict[str, list[Pair]]]:
    """The pairs to train on, and per file of `holdout` the pairs kept apart as its dev split."""
    fraction_of = dict(holdout)
    train: list[Pair] = []
    kept: dict[str, list[Pair]] = {name: [] for name in fraction_of}
    for pair in pairs:
        fraction = fraction_of.get(pair.source)
        if fraction is not None and held_out(pair, fraction):
            kept[pair.source].append(pair)
        else:
            train.append(pair)
    return train, kept


def repeated(pairs: Sequence[Pair], repeats: Sequence[tuple[str, int]]) -> list[Pair]:
    """The pairs, those of each file named in `repeats` that many times over (a file the
    pool holds little of, read more often; each copy lands in its own place in an epoch)."""
    times = dict(repeats)
    return [copy for pair in pairs for copy in [pair] * times.get(pair.source, 1)]


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
                Pair(
                    pair.hypothesis,
                    pair.premise,
                    pair.label,
                    pair.source + ":swapped",
                    True,
                    pair.weight,
                )
            )
    return out


def label_counts(pairs: Iterable[Pair]) -> dict[str, int]:
    counts = Counter(pair.label for pair in pairs)
    return {label: counts[label] for label in LABELS}
