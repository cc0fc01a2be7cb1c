"""Judging sentence pairs: does the passage support, contradict, or merely relate to the claim?

A `Judge` takes (claim, passage) text pairs and returns one `Judgement` per pair. The rule
judges (`checker.judge.rules`) and the NLI model judge (`checker.judge.nli`) each implement it;
`CombinedJudge` merges their reasons into one verdict.
"""

from __future__ import annotations

from checker.judge.base import CombinedJudge, Judge, combine
from checker.judge.nli import NLIJudge
from checker.judge.rules import Rule, RuleJudge, register, registered_rules

__all__ = [
    "CombinedJudge",
    "Judge",
    "NLIJudge",
    "Rule",
    "RuleJudge",
    "combine",
    "register",
    "registered_rules",
]
