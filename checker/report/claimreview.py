"""A finding as schema.org ClaimReview JSON-LD: the format fact-checkers publish.

The claim reviewed is sentence `a`; the review's rating says which document contradicts it.
What this follows, property by property:

- https://schema.org/ClaimReview: `claimReviewed` (Text, "a short summary of the specific
  claims reviewed"), `itemReviewed` (the Thing reviewed: here a Claim), `reviewRating`, and
  from CreativeWork `datePublished` and `url`.
- https://schema.org/Claim: `appearance` (a CreativeWork or URL in which the claim appears),
  `author` (Organization or Person), `datePublished`.
- https://schema.org/Rating: `alternateName` carries the textual rating, and `ratingExplanation`
  ("a short explanation ... particularly applicable to ratings associated with fact check
  markup using ClaimReview"; schema.org's "new" area, github.com/schemaorg/schemaorg/issues/2300)
  says what contradicts the claim, on what grounds, and how confident the checker is.
- Google's fact-check structured-data guide
  (https://developers.google.com/search/docs/appearance/structured-data/factcheck, as tabulated
  in https://fullfact.github.io/markup-investigation/docs/notes/01-basic-usage/): required
  `claimReviewed`, `reviewRating.alternateName` and `url`; recommended `author`,
  `datePublished`, `itemReviewed` (a Claim with `appearance`, `author`, `datePublished`).
  Google displays only the textual rating, so no numeric `ratingValue` is made up: the
  checker's confidence measures the disagreement, not the claim's truth.

Left to the newsroom: `url` (the page that will host the review; required by Google, so pass
it when one exists), the review's own `author` (the fact-checking organisation), and trimming
`claimReviewed` (Google suggests under 75 characters; the whole sentence is given here).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from checker.report.text import web_link
from checker.types import DocumentInfo, Finding, Verdict


def claim_review(finding: Finding, url: str | None = None) -> dict[str, Any]:
    """One ClaimReview object for a finding; `url` is the page hosting the review, if any."""
    a, b = finding.a, finding.b
    claim: dict[str, Any] = {"@type": "Claim", "appearance": _appearance(a.document)}
    if a.document.source:
        claim["author"] = {"@type": "Organization", "name": a.document.source}
    if a.document.published:
        claim["datePublished"] = a.document.published
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": a.sentence.text,
        "itemReviewed": claim,
        "reviewRating": {
            "@type": "Rating",
            "alternateName": f"Contradicted by {_name(b.document)}",
            "ratingExplanation": _explanation(finding),
        },
        "datePublished": finding.created_at[:10],
    }
    if url:
        review["url"] = url
    return review


def render_claimreview(findings: Sequence[Finding]) -> str:
    """A JSON array of ClaimReview objects, one per contradiction, in the order given.

    A change over time (verdict CHANGED: the same fact updated) reviews no one's claim, so it
    has none."""
    reviews = [claim_review(f) for f in findings if f.judgement.verdict is not Verdict.CHANGED]
    return json.dumps(reviews, indent=2, ensure_ascii=False) + "\n"


def _appearance(info: DocumentInfo) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork", "name": info.title or info.id}
    if link := web_link(info.url):
        work["url"] = link
    if info.published:
        work["datePublished"] = info.published
    if info.source:
        work["publisher"] = {"@type": "Organization", "name": info.source}
    return work


def _name(info: DocumentInfo) -> str:
    title = info.title or info.id
    return f"{title} ({info.source})" if info.source else title


def _explanation(finding: Finding) -> str:
    b = finding.b
    when = f", {b.document.published}" if b.document.published else ""
    reasons = "; ".join(f"{r.kind}: {r.detail}" for r in finding.judgement.reasons)
    return (
        f"{_name(b.document)}{when} says: “{b.sentence.text}” "
        f"({reasons}; confidence {finding.judgement.confidence:.0%})"
    )
