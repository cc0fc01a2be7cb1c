"""segment(): sentences of a document's body, with offsets that always slice to the text."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from checker.ingest import read_file
from checker.segment import _MAX_BLOCK_CHARS, _bounded, segment
from checker.types import Document, Sentence
from tests.conftest import SHARED

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ABC = SHARED / "corpora" / "abc"


def assert_well_formed(document: Document, sentences: list[Sentence]) -> None:
    """The invariants every segmentation keeps, whatever the text."""
    previous_end = 0
    for ordinal, sentence in enumerate(sentences):
        assert document.text[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip()
        assert any(c.isalpha() for c in sentence.text)
        assert sentence.ordinal == ordinal
        assert sentence.id == f"{document.id}#{ordinal}"
        assert sentence.document_id == document.id
        assert sentence.start >= previous_end
        previous_end = sentence.end
        if document.body:
            assert any(s <= sentence.start and sentence.end <= e for s, e in document.body)


def texts(document: Document) -> list[str]:
    return [s.text for s in segment(document)]


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem)
def test_seed_offsets_slice_exactly(seed: Path) -> None:
    [document] = read_file(seed, 2_000_000)
    assert isinstance(document, Document)
    sentences = segment(document)
    assert len(sentences) >= 15
    assert_well_formed(document, sentences)


def test_without_body_the_whole_text_is_segmented() -> None:
    document = Document(id="d", text="The vote passed. It was close.")
    assert texts(document) == ["The vote passed.", "It was close."]


def test_only_body_spans_become_sentences() -> None:
    text = "Share on Facebook\nThe vote passed. It was close.\nImage: Reuters"
    start = text.index("The vote")
    document = Document(id="d", text=text, body=((start, start + len("The vote passed.")),))
    assert texts(document) == ["The vote passed."]


def test_repeated_sentences_get_their_own_offsets() -> None:
    sentences = segment(Document(id="d", text="Yes. Yes. Yes."))
    assert [(s.start, s.end) for s in sentences] == [(0, 4), (5, 9), (10, 14)]


def test_hard_wrapped_lines_are_joined_into_sentences() -> None:
    text = "The minister said the deal\nwas signed on Tuesday. Talks\ncontinue in Yevlakh."
    assert texts(Document(id="d", text=text)) == [
        "The minister said the deal\nwas signed on Tuesday.",
        "Talks\ncontinue in Yevlakh.",
    ]


def test_a_line_that_ends_a_sentence_is_a_boundary() -> None:
    # pysbd alone keeps "U.S. Officials" together; the line break says otherwise.
    text = "It was signed in the U.S.\nOfficials left."
    assert texts(Document(id="d", text=text)) == ["It was signed in the U.S.", "Officials left."]


def test_paragraphs_are_boundaries() -> None:
    text = "The ceasefire held\n\nOfficials left Stepanakert"
    assert texts(Document(id="d", text=text)) == [
        "The ceasefire held",
        "Officials left Stepanakert",
    ]


def test_fragments_without_letters_are_skipped_and_whitespace_stripped() -> None:
    text = "12.\n\n— 3 —\n\n\u00a0 The vote passed.\u00a0 \n\n2023."
    sentences = segment(Document(id="d", text=text))
    assert [s.text for s in sentences] == ["The vote passed."]
    assert sentences[0].ordinal == 0


def test_changed_whitespace_inside_a_sentence_still_slices_exactly() -> None:
    text = "The vote  passed\u00a0 on\tMonday.\t\tIt was close."
    document = Document(id="d", text=text)
    sentences = segment(document)
    assert [s.text for s in sentences] == ["The vote  passed\u00a0 on\tMonday.", "It was close."]
    assert_well_formed(document, sentences)


def test_segment_is_pure() -> None:
    document = Document(id="d", text="Mr. Smith went to Washington. He said no.")
    assert segment(document) == segment(document)
    assert texts(document) == ["Mr. Smith went to Washington.", "He said no."]


def test_a_very_long_paragraph_is_cut_into_bounded_blocks() -> None:
    # pysbd alone is quadratic: this one line would take about 8 s uncut, under 1 s cut.
    text = "The vote passed on Monday. " * 2500
    blocks = list(_bounded(0, len(text), text))
    assert max(end - start for start, end in blocks) <= _MAX_BLOCK_CHARS
    assert blocks[0][0] == 0 and blocks[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(blocks))
    sentences = segment(Document(id="d", text=text))
    assert len(sentences) == 2500
    assert {s.text for s in sentences} == {"The vote passed on Monday."}


def test_a_very_long_line_without_punctuation_is_cut_between_words() -> None:
    document = Document(id="d", text="word " * 3000)
    sentences = segment(document)
    assert len(sentences) > 1
    assert_well_formed(document, sentences)
    assert all(set(s.text.split()) == {"word"} for s in sentences)
    assert sum(len(s.text.split()) for s in sentences) == 3000


_PIECES = [
    "The vote passed.",
    "Mr. Smith said “no.”",
    "It was signed in the U.S.",
    "Prices rose 3.5 per cent",
    "Talks continue",
    "— 12 —",
    "…",
    "Is it over?",
    "  ",
    "\u00a0",
    "\n",
    "\n\n",
    "\r",
    "\t",
    "• Home",
    "Image: Reuters",
    "(AP)",
    "Dr.",
    "e.g. this",
]


@pytest.mark.parametrize("seed", range(40))
def test_invariants_hold_on_random_texts(seed: int) -> None:
    rng = random.Random(seed)
    text = "".join(rng.choice(_PIECES) + rng.choice(["", " ", "  "]) for _ in range(30))
    cuts = sorted(rng.sample(range(len(text) + 1), 6))
    body = tuple(zip(cuts[::2], cuts[1::2], strict=True))
    for document in (Document(id="r", text=text), Document(id="r", text=text, body=body)):
        assert_well_formed(document, segment(document))


@pytest.mark.skipif(not (ABC / "rural.txt").exists(), reason="ABC corpus not present")
def test_abc_corpus_lines_keep_every_sentence() -> None:
    lines = (ABC / "rural.txt").read_text(encoding="utf-8").split("\n")[:1500]
    path = Path("rural.txt")
    text = "\n".join(lines)
    document = Document(id=path.stem, text=text)
    sentences = segment(document)
    assert_well_formed(document, sentences)
    covered = bytearray(len(text))
    for sentence in sentences:
        covered[sentence.start : sentence.end] = b"\x01" * (sentence.end - sentence.start)
    # Every letter of the corpus ends up in some sentence: nothing pysbd returned was lost.
    assert all(covered[i] for i, c in enumerate(text) if c.isalpha())
    # One sentence a line in the corpus: a line ending with a full stop ends a sentence.
    ends = {s.end for s in sentences}
    line_start = 0
    for line in lines:
        stripped = line.rstrip()
        if stripped.endswith("."):
            assert line_start + len(stripped) in ends
        line_start += len(line) + 1
