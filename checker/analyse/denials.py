"""What a sentence denies, and what it speaks of without asserting (pure: a spaCy Doc in).

- `negated`: the lemmas a sentence denies ("did not defecate", "no forces", "unable to
  verify", "judges instead of arbitrators", "denied he knew", "rejected suggestions the
  Government could buy water"), leaving out a denial inside another one ("no
  guarantee the bank will not raise rates" denies no rise);
- `unasserted`: the content lemmas inside its denials and inside a claim it only mentions
  ("responded to allegations that ..."): another sentence's denial of those is no conflict.
"""

from __future__ import annotations

from typing import Any

CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "NUM"})
_DENIERS = frozenset({"no", "never", "none", "nobody", "nothing", "neither", "nor"})


# Negative implicatives: "unable to verify", "declined to comment" deny the verb that follows
# as "could not verify", "did not comment" do.
_IMPLICATIVES = frozenset({"unable", "decline", "refuse", "fail"})

# Verbs that say a clause is not so: "has denied he knew", "rejected suggestions the Government
# could buy water", "dismissed claims that the boy had been kidnapped". Rejecting a thing
# ("rejected the plan") denies nothing, so only a clause or a claim's content counts.
_DENYING = frozenset({"deny", "reject", "dismiss", "refute", "debunk"})
# Of those, the ones that say a claim is false rather than that someone disputes it.
_DEBUNKING_VERBS = frozenset({"refute", "debunk"})


def denied_and_unasserted(doc: Any) -> tuple[set[str], set[str], set[str]]:
    """(`negated(doc)`, `unasserted(doc)`, `debunked(doc)`) with the sentence's denials and
    their scopes walked once for all three."""
    scopes = _denial_scopes(doc)
    return _negated(doc, scopes), _unasserted(doc, scopes), _debunked_lemmas(scopes)


def debunked(doc: Any) -> set[str]:
    """The lemmas of what the sentence calls false, a hoax or debunked: the head of each
    debunked report's content ("reports that Banksy was arrested are false" -> "arrest"),
    where that debunking is not itself inside another denial (as `negated` leaves it out)."""
    return _debunked_lemmas(_denial_scopes(doc))


def _debunked_lemmas(scopes: list[tuple[Any, Any, list[Any]]]) -> set[str]:
    embedded = _inside_other_denials(scopes)
    return {
        str(top.lemma_.casefold())
        for word, top, _ in scopes
        if word.lemma_.casefold() in _DEBUNKING and word.i not in embedded
    }


def negated(doc: Any) -> set[str]:
    return _negated(doc, _denial_scopes(doc))


def _negated(doc: Any, scopes: list[tuple[Any, Any, list[Any]]]) -> set[str]:
    embedded = _inside_other_denials(scopes)
    denied = set()
    for token in doc:
        if token.i in embedded:
            continue  # "no guarantees the bank will not raise rates" does not deny a rise
        contrasted = _contrasted(token)
        if contrasted is not None:
            denied.add(contrasted)
        elif token.dep_ == "neg" or (token.lower_ in _DENIERS and token.dep_ in ("det", "advmod")):
            denied.add(str(token.head.lemma_.casefold()))
        elif token.lower_ in ("none", "nobody", "nothing"):
            denied.add(token.lower_)
        elif token.lemma_.casefold() in _IMPLICATIVES:
            denied.update(str(c.lemma_.casefold()) for c in token.children if c.dep_ == "xcomp")
        elif (clause := _denied_clause(token)) is not None:
            denied.add(str(clause.lemma_.casefold()))
    return denied


# Clauses joined to a denied one that the denial does not reach: "Woods doesn't know anything,
# and [he is serving a suspension]" asserts the second clause.
_BEYOND_DENIAL = frozenset({"conj", "cc", "advcl", "parataxis", "mark", "punct"})


# Nouns that name a claim someone else makes: what follows them ("allegations made by a
# golfer, who said Woods is serving a ban") the sentence mentions, not asserts.
_CLAIM_NOUNS = frozenset(
    {"allegation", "claim", "rumour", "rumor", "speculation", "accusation", "suggestion"}
)
# What a denying verb or a debunking can deny the content of: a claim, or a report of one.
_DENIABLE = _CLAIM_NOUNS | {"report", "story"}


def unasserted(doc: Any) -> set[str]:
    """Content lemmas the sentence speaks of without asserting them: inside a denial ("no
    doctors [in Mosul that can diagnose Ebola]", "facilities in Mosul do not have [the
    capabilities]") or inside a claim it mentions ("responded to allegations [that Woods is
    serving a ban]"). Another sentence's denial of them is no conflict."""
    return _unasserted(doc, _denial_scopes(doc))


def _unasserted(doc: Any, scopes: list[tuple[Any, Any, list[Any]]]) -> set[str]:
    claims = [t for t in doc if t.pos_ == "NOUN" and t.lemma_.casefold() in _CLAIM_NOUNS]
    clauses = [clause for _, _, clause in scopes] + [_clause_tokens(top) for top in claims]
    scope: set[str] = set()
    for clause in clauses:
        scope.update(
            str(t.lemma_.casefold()) for t in clause if t.pos_ in CONTENT_POS and not t.is_stop
        )
    return scope


def _denial_scopes(doc: Any) -> list[tuple[Any, Any, list[Any]]]:
    """(denying word, head of what it denies, that head's clause tokens) for each denial."""
    return [(word, top, _clause_tokens(top)) for word, top in _denials(doc)]


def _denials(doc: Any) -> list[tuple[Any, Any]]:
    """(denying word, head of what it denies) for each denial: the denied noun phrase ("no
    doctors that ...", "traded no beef"), the clause whose subject is denied ("no ferries
    were cancelled" denies the cancelling), or the denied clause ("did not defecate on
    Putin", "unable to verify")."""
    found = []
    for token in doc:
        if token.lower_ in _DENIERS and token.dep_ == "det":
            noun = token.head
            subject = noun.dep_ in ("nsubj", "nsubjpass") and noun.head.pos_ in ("VERB", "AUX")
            found.append((token, noun.head if subject else noun))
        elif (
            token.dep_ == "neg"
            or token.lower_ in _DENIERS
            or (token.lemma_.casefold() in _IMPLICATIVES)
        ):
            found.append((token, token if token.pos_ == "VERB" else token.head))
        elif (clause := _denied_clause(token)) is not None:
            found.append((token, clause))
    return found


def _denied_clause(token: Any) -> Any | None:
    """The head of the clause a denying verb says is not so: its complement ("denied [he
    knew]") or the content of the claim it denies ("rejected suggestions [the Government could
    buy water]", "claims [the boy had been kidnapped] have been debunked"); or what a debunking
    says is not so (`_debunked`). None for any other word, or a denial of a thing ("rejected
    the plan")."""
    if token.pos_ != "VERB" or token.lemma_.casefold() not in _DENYING:
        return _debunked(token)
    for child in token.children:
        if child.dep_ == "ccomp" and child.pos_ in ("VERB", "AUX"):
            return child
        if child.dep_ in ("dobj", "nsubjpass") and child.lemma_.casefold() in _DENIABLE:
            content = _content(child)
            if content is not None and content.pos_ in ("VERB", "AUX"):
                return content
    return None


# What a report or claim is called when it is not so: "reports that Banksy was arrested are
# false", "the story of a spider living under his skin is a hoax", "there is no truth to
# reports that ...". The content of the report is then denied, as "denied he knew" denies.
_DEBUNKING_WORDS = frozenset(
    {"false", "untrue", "fake", "bogus", "baseless", "unfounded", "fabricated", "incorrect",
     "inaccurate", "hoax", "myth", "fabrication", "lie"}
)  # fmt: skip


# The words whose denials are debunkings: what the report is called, "no truth to", and the
# verbs that say a claim is false.
_DEBUNKING = _DEBUNKING_WORDS | _DEBUNKING_VERBS | {"truth"}
# Content words a sentence that disputes a claim uses: those and the other denying verbs.
DISPUTING_LEMMAS = _DEBUNKING | _DENYING


def _debunked(token: Any) -> Any | None:
    """The head of what a debunking says is not so: the content of the report or claim that
    `token` (a debunking word, or "truth" with "no") is said of; None otherwise."""
    lemma = token.lemma_.casefold()
    if lemma in _DEBUNKING_WORDS and token.dep_ in ("acomp", "attr"):
        subjects = (c for c in token.head.children if c.dep_ in ("nsubj", "nsubjpass"))
        claim = next((c for c in subjects if c.lemma_.casefold() in _DENIABLE), None)
    elif lemma == "truth" and any(c.lower_ == "no" for c in token.children):
        to = (c for c in token.children if c.dep_ == "prep" and c.lower_ == "to")
        objects = (o for p in to for o in p.children if o.dep_ == "pobj")
        claim = next((o for o in objects if o.lemma_.casefold() in _DENIABLE), None)
    else:
        return None
    return _content(claim) if claim is not None else None


def _content(claim: Any) -> Any | None:
    """What a report or claim says: its clause ("reports [that he was arrested]", "the story
    of a spider [living] under ..."), or the event it is of ("reports of his [arrest]")."""
    for child in claim.children:
        if child.dep_ in ("acl", "ccomp") and child.pos_ in ("VERB", "AUX"):
            return child
    for of in (c for c in claim.children if c.dep_ == "prep" and c.lower_ == "of"):
        for thing in (c for c in of.children if c.dep_ in ("pobj", "pcomp")):
            clause = next((c for c in thing.children if c.dep_ in ("acl", "relcl")), None)
            return clause if clause is not None and clause.pos_ == "VERB" else thing
    return None


def _inside_other_denials(scopes: list[tuple[Any, Any, list[Any]]]) -> set[int]:
    """Indices of denying words that sit inside another denial's scope (a double negation:
    "there are no guarantees the bank will not raise rates")."""
    inside: set[int] = set()
    for word, top, clause in scopes:
        inside.update(t.i for t in clause if t.i not in (word.i, top.i))
    return inside


def _contrasted(token: Any) -> str | None:
    """The word a contrast denies: "judges instead of arbitrators", "judges rather than
    arbitrators", "judges, not arbitrators" all deny the arbitrators."""
    # The cheap tests first: this runs on every token, and slicing the Doc is not cheap.
    lower = token.lower_
    if lower == "instead" or (
        lower == "rather" and token.doc[token.i + 1 : token.i + 2].text.casefold() == "than"
    ):
        following = token.doc[token.i + 1 : token.i + 6]
    elif token.dep_ == "neg" and token.head.pos_ in ("NOUN", "PROPN") and token.head.i < token.i:
        following = token.doc[token.i + 1 : token.i + 5]
    else:
        return None
    noun = next((t for t in following if t.pos_ in ("NOUN", "PROPN")), None)
    return str(noun.lemma_.casefold()) if noun is not None else None


def _clause_tokens(top: Any) -> list[Any]:
    """`top` and its dependants, without the clauses joined to it."""
    found, stack = [], [top]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(c for c in node.children if node is not top or c.dep_ not in _BEYOND_DENIAL)
    return found
