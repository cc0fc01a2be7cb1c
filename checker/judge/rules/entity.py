"""The entity rule: the same event, a different place, person or organisation.

"The diverted plane landed in Lyon" against "the diverted plane landed in Geneva": both
sentences state the same fact (alignment) and a name in the same slot differs. It reads the
stored analyses, not the text, so it runs in the alignment gate rather than as a text `Rule`.
"""

from __future__ import annotations

from checker.judge.align import Alignment
from checker.types import Reason, Verdict

# Until calibration on judged news says otherwise: as sure as the number rule's typical call.
ENTITY_CONFIDENCE = 0.7


def entity_reason(alignment: Alignment) -> Reason | None:
    names = [(a, b) for a, b in alignment.differing if a.kind == "entity"]
    if not names:
        return None
    a, b = names[0]
    slot = a.head or a.label.lower()
    return Reason(
        kind="entity",
        verdict=Verdict.CONTRADICTS,
        confidence=ENTITY_CONFIDENCE,
        detail=f"the same fact names {a.text!r} on one side and {b.text!r} on the other ({slot})",
        claim_spans=(a.span,),
        passage_spans=(b.span,),
    )
