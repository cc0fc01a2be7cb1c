"""Stored findings and editors' decisions on them: listing, one finding, a review, what
was resolved, the scans' history."""

from __future__ import annotations

from collections.abc import Sequence

from checker.errors import InvalidInput
from checker.ingest.metadata import has_lone_surrogate
from checker.service.base import CheckerBase
from checker.store.database import now
from checker.types import DISMISS_REASONS, Finding, ResolvedFinding, Review, ReviewState, ScanRecord

MAX_REVIEW_NOTE_CHARS = 2000


class ReviewPart(CheckerBase):
    def findings(
        self,
        limit: int = 50,
        offset: int = 0,
        since: str | None = None,
        order: str = "newest",
        review: Sequence[ReviewState] | None = None,
    ) -> tuple[list[Finding], int]:
        """Stored findings in the `review` states (None: all), confirmed ones first."""
        self.store.refresh()
        return self.store.findings(
            limit=limit, offset=offset, since=since, order=order, review=review
        )

    def review(
        self,
        finding_id: int,
        state: ReviewState,
        decided_by: str,
        reason: str | None = None,
        note: str | None = None,
    ) -> Finding:
        """Record an editor's decision on a finding; the finding as it now reads.

        The decision holds for the pair of sentences while neither changes: a dismissed pair
        found again by a later scan stays dismissed and is not counted as new."""
        reason, note = _valid_review(state, reason, note)
        finding = self.finding(finding_id)
        decision = Review(state, decided_by, now(), reason, note)
        with self.store.writing() as writer:
            writer.review(finding, decision)
        return self.store.finding(finding_id)

    def finding(self, finding_id: int) -> Finding:
        """One stored contradiction; NotFound when there is none with this id (any more)."""
        self.store.refresh()
        return self.store.finding(finding_id)

    def resolved(self, since: str | None = None, limit: int = 500) -> list[ResolvedFinding]:
        """Contradictions gone because a document they rest on was deleted or corrected."""
        self.store.refresh()
        return self.store.resolved(since=since, limit=limit)

    def scan_history(self, runs: int = 30) -> list[ScanRecord]:
        self.store.refresh()
        return self.store.scan_history(runs)


def _valid_review(
    state: ReviewState, reason: str | None, note: str | None
) -> tuple[str | None, str | None]:
    """(reason, note) as stored; InvalidInput for a reason that is not one of the list, a
    reason on anything but a dismissal, or a note too long."""
    if reason is not None and state is not ReviewState.DISMISSED:
        raise InvalidInput(f"a reason goes with a dismissal only, not with {state.value}", "reason")
    if reason is not None and reason not in DISMISS_REASONS:
        raise InvalidInput(
            f"reason must be one of {', '.join(DISMISS_REASONS)}, got {reason!r}", "reason"
        )
    note = (note or "").strip() or None
    if note is not None and (len(note) > MAX_REVIEW_NOTE_CHARS or has_lone_surrogate(note)):
        raise InvalidInput(
            f"note must be text of at most {MAX_REVIEW_NOTE_CHARS} characters", "note"
        )
    return reason, note
