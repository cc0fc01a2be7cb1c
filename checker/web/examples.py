"""Example answers, from the seeds (`seeds/`): the canonical contradiction, as the API gives
it. `responses.py` publishes them with its models; /docs shows them; a test checks that each
one validates against the published schema."""

from __future__ import annotations

from typing import Any

_ACCORD: dict[str, Any] = {
    "sentence_id": "000_434e7cb778165911#3",
    "text": "The accord called for a full stop to hostilities at the specified moment and the "
    "withdrawal of remaining Armenian forces.",
    "document": {
        "id": "000_434e7cb778165911",
        "title": None,
        "source": None,
        "url": None,
        "published": None,
        "language": "en",
    },
    "span": {"start": 501, "end": 622},
    "attribution": {
        "speaker": "The accord",
        "verb": "called for",
        "text": "The accord — called for",
        "span": {"start": 0, "end": 10},
    },
    "anchor": None,
}
_DENIAL = {
    "sentence_id": "001_8033d1b0714a6b2e#9",
    "text": "Armenian PM Nikol Pashinyan voiced his concern over one term of the agreement being "
    "“the withdrawal of Armenian forces,” claiming that there are no Armenian armed forces "
    "in Karabakh, reiterating the comments from the Armenian MFA yesterday.",
    "document": {
        "id": "001_8033d1b0714a6b2e",
        "title": "Separatists in Karabakh Accept Azerbaijan’s Ceasefire Terms",
        "source": None,
        "url": None,
        "published": "2023-09-20",
        "language": "en",
    },
    "span": {"start": 1825, "end": 2065},
    "attribution": {
        "speaker": "Armenian PM Nikol Pashinyan",
        "verb": "claiming",
        "text": "Armenian PM Nikol Pashinyan — claiming",
        "span": {"start": 0, "end": 27},
    },
    "anchor": {"date": "2023-09-19", "source": "sentence"},
}
_PRESENT = {"start": 0, "end": 27, "text": "Armenian forces are present"}
_DENIES = {"start": 145, "end": 169, "text": "no Armenian armed forces"}
_CONTRADICTING = {
    **_DENIAL,
    "context": {
        "before": "For its part, Armenia has insisted that it was not involved in the development "
        "of the ceasefire agreement.",
        "after": "The Secretary of the Security Council of Armenia, Armen Grigoryan, accused "
        "Russia of failing in its obligations under the 2020 trilateral ceasefire agreement to "
        "defend Nagorno-Karabakh.",
    },
    "similarity": 0.5906,
    "verdict": "contradicts",
    "confidence": 0.185,
    "reasons": [
        {
            "kind": "negation",
            "verdict": "contradicts",
            "confidence": 0.732,
            "detail": 'passage denies "Armenian armed forces" that the claim asserts exist',
            "claim_spans": [_PRESENT],
            "passage_spans": [_DENIES],
        },
        {
            "kind": "alignment",
            "verdict": "contradicts",
            "confidence": 0.75,
            "detail": "same fact: overlap 0.75; shared: armenian, force, karabakh; same subject",
            "claim_spans": [],
            "passage_spans": [],
        },
    ],
}
_SUPPORTING = {
    **_ACCORD,
    "context": {
        "before": "Information circulated by the Information Center attributed the ceasefire to "
        "mediation by the Russian peacekeeping mission stationed in Nagorno-Karabakh.",
        "after": "It also confirmed the operational area for the Russian peacekeeping mission "
        "and demanded the dissolution and complete disarmament of the armed formations "
        "identified as the Nagorno-Karabakh Defense Army.",
    },
    "similarity": 0.4425,
    "verdict": "supports",
    "confidence": 0.744,
    "reasons": [
        {
            "kind": "negation",
            "verdict": "supports",
            "confidence": 0.744,
            "detail": 'claim and passage both assert "Armenian forces" exist',
            "claim_spans": [_PRESENT],
            "passage_spans": [
                {"start": 81, "end": 120, "text": "withdrawal of remaining Armenian forces"}
            ],
        }
    ],
}
CHECK_EXAMPLE = {
    "claim": "Armenian forces are present in Karabakh",
    "supporting": [_SUPPORTING],
    "contradicting": [_CONTRADICTING],
    "changed": [],
    "related": [],
    "took_ms": 63.9,
}
DRAFT_EXAMPLE = {
    "sentences": [
        {
            "text": "Armenian forces are present in Karabakh.",
            "start": 0,
            "end": 40,
            "verdict": "disputed",
            "contradicting": [_CONTRADICTING],
            "changed": [],
            "supporting": [_SUPPORTING],
            "related": [],
        },
        {
            "text": "The talks took place in Yevlakh.",
            "start": 41,
            "end": 73,
            "verdict": "none",
            "contradicting": [],
            "changed": [],
            "supporting": [],
            "related": [],
        },
    ],
    "took_ms": 61.2,
}
FINDING_EXAMPLE = {
    "id": 1,
    "created_at": "2026-11-22T02:15:03.120+00:00",
    "similarity": 0.4792,
    "verdict": "contradicts",
    "confidence": 0.185,
    "a": _ACCORD,
    "b": _DENIAL,
    "reasons": [
        {
            "kind": "negation",
            "verdict": "contradicts",
            "confidence": 0.778,
            "detail": 'passage denies "Armenian armed forces" that the claim asserts exist',
            "claim_spans": [{"start": 95, "end": 120, "text": "remaining Armenian forces"}],
            "passage_spans": [_DENIES],
        }
    ],
    "review": {
        "state": "dismissed",
        "reason": "different-time",
        "note": "The accord's terms and the PM's answer are a day apart",
        "decided_by": "night-desk",
        "decided_at": "2026-11-22T08:02:11+00:00",
    },
    "headline": "One report denies what another asserts",
    "days_apart": None,
}
