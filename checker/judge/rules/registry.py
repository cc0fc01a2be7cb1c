"""The `Rule` protocol and the rule registry.

Built-in rules register themselves here when their module is imported, exactly as a rule from
another package would (datasette's facets work the same way), so `RuleJudge()` with no
arguments runs every registered rule in registration order.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from checker.types import Reason


@runtime_checkable
class Rule(Protocol):
    """A named, pure check of one (claim, passage) pair.

    `check` must be fast, do no I/O, never raise on any text (empty, odd unicode), and return
    None unless it is confident both sentences speak of the same thing.
    """

    name: str

    def check(self, claim: str, passage: str) -> Reason | None: ...


_registry: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    """Add `rule` to the registry and return it. A rule with the same name is replaced, so a
    project can swap a built-in for its own version."""
    if not isinstance(rule, Rule):
        raise TypeError(f"{rule!r} is not a Rule: it needs a `name` and a `check(claim, passage)`")
    if not rule.name:
        raise ValueError("a rule needs a non-empty name")
    _registry[rule.name] = rule
    return rule


def unregister(name: str) -> Rule | None:
    """Remove the rule called `name` (if any) and return it."""
    return _registry.pop(name, None)


def registered_rules() -> list[Rule]:
    """Every registered rule, in registration order (a replaced rule keeps its place)."""
    return list(_registry.values())
