"""Who asserts a sentence: "officials said", "according to Reuters", "claiming that ...".

Read from the dependency parse: a reporting verb that governs a clause (or, for "call for",
a demand) names its speaker in its subject; a participle without one ("..., claiming that")
borrows the subject of the verb it hangs on. The tokens found here are not part of the fact
the sentence states, so `checker.analyse.parse` leaves them out of what alignment compares.
"""

from __future__ import annotations

from typing import Any

from checker.types import Attribution

# Lemmas of verbs that report what someone says, thinks or demands.
REPORTING = frozenset(
    [
        "say",
        "tell",
        "claim",
        "report",
        "announce",
        "state",
        "add",
        "note",
        "insist",
        "deny",
        "warn",
        "explain",
        "allege",
        "confirm",
        "argue",
        "suggest",
        "write",
        "declare",
        "acknowledge",
        "admit",
        "believe",
        "estimate",
        "predict",
        "reiterate",
        "maintain",
        "assert",
        "accuse",
        "indicate",
        "reveal",
        "quote",
        "describe",
        "testify",
        "tweet",
        "post",
        "respond",
        "reply",
        "stress",
        "emphasise",
        "emphasize",
        "contend",
        "concede",
        "disclose",
        "assure",
        "promise",
        "vow",
        "urge",
    ]
)
# Speakers of more tokens than this are parse errors, not names.
MAX_SPEAKER_TOKENS = 12
_NAME_POS = frozenset({"PROPN", "NOUN", "ADJ", "NUM"})
_RELATIVE_TAGS = frozenset({"WDT", "WP"})  # "that", "which", "who" opening a relative clause
# Heads a subject can have only when the parse went wrong: a speaker is a noun phrase.
_NOT_A_SPEAKER = frozenset({"SCONJ", "ADP", "CCONJ", "PART", "PUNCT"})


def find_attribution(doc: Any) -> tuple[Attribution | None, frozenset[int]]:
    """The sentence's attribution and the token indices it covers (speaker and verb)."""
    for finder in (_according_to, _reporting_verb):
        found = finder(doc)
        if found is not None:
            return found
    return None, frozenset()


def _according_to(doc: Any) -> tuple[Attribution, frozenset[int]] | None:
    for token in doc:
        if token.lower_ != "according":
            continue
        to = next((c for c in token.children if c.lower_ == "to"), None)
        source = next((c for c in to.children if c.dep_ == "pobj"), None) if to else None
        if to is not None and source is not None:
            return _make(doc, source, f"{token.text} {to.text}", {token.i, to.i})
    return None


def _reporting_verb(doc: Any) -> tuple[Attribution, frozenset[int]] | None:
    # The reporting verb nearest the root speaks for the whole sentence.
    candidates = sorted(
        (t for t in doc if _reports(t)), key=lambda t: (len(list(t.ancestors)), t.i)
    )
    for verb in candidates:
        subject = _subject(verb)
        # A speaker is a noun phrase: a "that" the parser made a subject ("a statement on
        # Wednesday that claims alleging ... are false", where "claims" is the noun) is not.
        if subject is not None and subject.pos_ not in _NOT_A_SPEAKER:
            words = {verb.i}
            label = verb.text
            demand = next((c for c in verb.children if c.lower_ == "for"), None)
            if verb.lemma_ == "call" and demand is not None:
                words.add(demand.i)
                label = f"{verb.text} {demand.text}"
            return _make(doc, subject, label, words)
    return None


def _reports(token: Any) -> bool:
    if token.pos_ not in ("VERB", "AUX"):
        return False
    if token.lemma_ in REPORTING:
        return any(c.dep_ in ("ccomp", "xcomp", "parataxis") for c in token.children) or any(
            c.dep_ == "ccomp" and c.head.i == token.i for c in token.head.children
        )
    # "the accord called for the withdrawal": a demand, reported as what its subject asks.
    return token.lemma_ == "call" and any(c.lower_ == "for" for c in token.children)


def _subject(verb: Any) -> Any | None:
    """The verb's own subject, or, for a participle or a modifier ("the accord called for"),
    the subject of the word it hangs on."""
    own = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if own is not None and own.dep_ == "nsubjpass":
        # "the plant was said by officials to be closing", "who is reported to be from
        # Bolivia", "he was told": a passive subject is what is reported, or the one told;
        # the speaker is the agent where one is named, else nobody the sentence names.
        agent = next((c for c in verb.children if c.dep_ == "agent"), None)
        return next((c for c in agent.children if c.dep_ == "pobj"), None) if agent else None
    if own is not None and own.tag_ in _RELATIVE_TAGS and verb.dep_ == "relcl":
        # "the minister, who said ...", "the ministry that claimed ...": the relative pronoun
        # stands for the noun its clause describes, and that noun is the speaker.
        return verb.head
    if own is not None:
        return own
    if verb.dep_ == "acl":  # "the accord called for ...": the noun is the speaker
        return verb.head
    if verb.dep_ == "xcomp" and any(c.dep_ == "dobj" for c in verb.head.children):
        # "the agent asked the customer to tell him ...": the one asked would do the telling,
        # and has not; nobody reports anything.
        return None
    if verb.dep_ in ("advcl", "conj", "xcomp") and verb.head.i != verb.i:
        return next((c for c in verb.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    return None


def _make(
    doc: Any, head: Any, verb: str, verb_words: set[int]
) -> tuple[Attribution, frozenset[int]] | None:
    kept = {
        t.i
        for t in head.subtree
        if t.i not in verb_words and not t.is_punct and not _clause(t, head)
    }
    # The unbroken run of kept tokens around the head: the speaker's own words.
    start = end = head.i
    while start - 1 in kept:
        start -= 1
    while end + 1 in kept:
        end += 1
    # "Armenian PM Nikol Pashinyan": the parser often hangs a title off the verb, not the name.
    while start > 0 and doc[start - 1].pos_ in _NAME_POS and doc[start - 1].i not in verb_words:
        start -= 1
    if end - start + 1 > MAX_SPEAKER_TOKENS:
        return None
    span = doc[start : end + 1]
    words = frozenset(range(start, end + 1)) | frozenset(verb_words)
    return Attribution(span.text, verb, (span.start_char, span.end_char)), words


def _clause(token: Any, head: Any) -> bool:
    """A token inside a clause hanging on the speaker's phrase ("the accord [called for X]")."""
    node = token
    while node.i != head.i and node.head.i != node.i:
        if node.dep_ in ("acl", "relcl") and node.pos_ in ("VERB", "AUX"):
            return True
        node = node.head
    return False
