"""Rule-based judging: registered `Rule`s and the `RuleJudge` that runs them.

Rules are pure and fast (the stored tokens, word lists, regex, dateparser for month names; no
models, no I/O), so they run on every pair. The built-ins, in registration order:

    negation  one sentence denies what the other asserts exists or happened   (negation.py)
    number    different numbers for the same thing                           (numbers.py)
    date      different dates or times for the same event                    (dates.py)

Shared pieces: `text.py` reads a sentence's tokens as spaCy stored them at ingest and measures
the content overlap that gates every rule, `phrases.py` walks tokens to find phrases,
`stances.py` finds what a sentence denies or asserts exists, `quantities.py` finds numbers and
what they count, and `registry.py` holds the `Rule` protocol and the registry. Importing this
package registers the built-ins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from checker.judge.base import combine
from checker.judge.rules.dates import DateRule
from checker.judge.rules.negation import NegationRule
from checker.judge.rules.numbers import NumberRule
from checker.judge.rules.registry import Rule, register, registered_rules, unregister
from checker.types import Judgement, Reason, Verdict

# The built-ins register exactly as a rule from another package would.
for _builtin in (NegationRule(), NumberRule(), DateRule()):
    register(_builtin)

__all__ = [
    "DateRule",
    "NegationRule",
    "NumberRule",
    "Rule",
    "RuleJudge",
    "register",
    "registered_rules",
    "same_words",
    "unregister",
]


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def same_words(claim: str, passage: str) -> bool:
    """The same words, whatever the case and punctuation: the passage repeats the claim."""
    return bool(_words(claim)) and _words(claim) == _words(passage)


class RuleJudge:
    """Runs rules on each pair and combines their reasons (`checker.judge.base.combine`).

    `rules=None` means every rule registered when the judge is built.
    """

    name = "rules"

    def __init__(self, rules: Sequence[Rule] | None = None, min_confidence: float = 0.5) -> None:
        self.rules = tuple(registered_rules() if rules is None else rules)
        self.min_confidence = min_confidence

    def judge(self, pairs: Sequence[tuple[str, str]]) -> list[Judgement]:
        return [
            combine(self.reasons(claim, passage), self.min_confidence) for claim, passage in pairs
        ]

    def reasons(self, claim: str, passage: str) -> list[Reason]:
        """Every reason any rule finds for one pair (rules that find nothing say None).

        A passage with the same words as the claim supports it, and no rule is asked: a
        sentence that both presupposes and denies something ("the withdrawal of X ... there are
        no X") would otherwise contradict its own copy.
        """
        if same_words(claim, passage):
            return [Reason("identical", Verdict.SUPPORTS, 1.0, "the passage repeats the claim")]
        found = (rule.check(claim, passage) for rule in self.rules)
        return [reason for reason in found if reason is not None]
