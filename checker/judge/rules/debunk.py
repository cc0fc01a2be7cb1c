"""The debunking rule: one side calls false what the other asserts.

"Banksy was arrested in London" against "Reports that Banksy was arrested in London are
false": the second sentence denies the arrest the first asserts, as "there are no forces"
denies the forces of "the withdrawal of remaining forces". Such a denial is the parse's (a
report's content, and what the report is called), which the text rules do not read, so,
like the entity rule, this reads the stored analyses and runs in the alignment gate. Its
reason is a negation: the gate keeps, calibrates and shows it as one.
"""

from __future__ import annotations

from checker.analyse.denials import DISPUTING_LEMMAS
from checker.judge.align import asserted, denial_met
from checker.types import Analysis, Reason, Verdict

# Until calibration on judged news says otherwise: as sure as the entity rule's call.
DEBUNK_CONFIDENCE = 0.7


def debunk_reason(a: Analysis, b: Analysis) -> Reason | None:
    """A contradiction where one side calls false, a hoax or debunked what the other states in
    its main clause, and the debunking side's denial meets what the other side asserts
    (`denial_met`, one way: the other side's own denials, if any, are not what it debunks)."""
    for denier, other, side in ((a, b, "claim"), (b, a, "passage")):
        # What the other side states, not what it mentions: its main clause's verb ("there
        # are unconfirmed reports that fighters contracted Ebola" states no contracting, and
        # "Shekau denied agreeing to a ceasefire" is itself a denial).
        called_false = sorted(set(denier.debunked) & {other.predicate} & asserted(other))
        # A side that itself speaks of refuting, denying or falsehood is not plainly stating
        # the fact, however its clause parsed ("Officials Refute Iraqi Media Reports That
        # ISIS Members Have Contracted Ebola", a headline in capitals, parses "contracted"
        # as its main verb).
        disputed = DISPUTING_LEMMAS.intersection(other.lemmas)
        if called_false and not disputed and denial_met(denier, other):
            return Reason(
                kind="negation",
                verdict=Verdict.CONTRADICTS,
                confidence=DEBUNK_CONFIDENCE,
                detail=f"the {side} calls false what the other says ({called_false[0]!r})",
            )
    return None
