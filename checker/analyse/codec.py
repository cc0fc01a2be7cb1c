"""`Analysis` as compact JSON, as stored beside each sentence."""

from __future__ import annotations

import json
from typing import Any

from checker.types import Analysis, Attribution, Value


def analysis_to_json(analysis: Analysis) -> str:
    data: dict[str, Any] = {
        "v": analysis.version,
        "lemmas": list(analysis.lemmas),
        "values": [
            [v.kind, v.label, v.text, v.span[0], v.span[1], v.norm, v.head, v.verb]
            for v in analysis.values
        ],
        "predicate": analysis.predicate,
        "subject": analysis.subject,
        "negated": list(analysis.negated),
        "unasserted": list(analysis.unasserted),
        "anchor": analysis.anchor,
        "anchor_source": analysis.anchor_source,
        "classifiers": [list(pair) for pair in analysis.classifiers],
        "complements": [list(pair) for pair in analysis.complements],
    }
    if analysis.debunked:
        data["debunked"] = list(analysis.debunked)
    if analysis.attribution is not None:
        a = analysis.attribution
        data["attribution"] = [a.speaker, a.verb, a.span[0], a.span[1]]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def analysis_from_json(raw: str) -> Analysis:
    data = json.loads(raw)
    who = data.get("attribution")
    return Analysis(
        version=data["v"],
        lemmas=tuple(data["lemmas"]),
        values=tuple(
            Value(kind, label, text, (start, end), norm, head, *rest)
            for kind, label, text, start, end, norm, head, *rest in data["values"]
        ),
        predicate=data["predicate"],
        subject=data["subject"],
        negated=tuple(data["negated"]),
        unasserted=tuple(data.get("unasserted", ())),
        attribution=Attribution(who[0], who[1], (who[2], who[3])) if who else None,
        anchor=data["anchor"],
        anchor_source=data["anchor_source"],
        classifiers=tuple((noun, kind) for noun, kind in data.get("classifiers", ())),
        complements=tuple((verb, act) for verb, act in data.get("complements", ())),
        debunked=tuple(data.get("debunked", ())),
    )
