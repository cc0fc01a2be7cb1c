"""Sentences: a document's body split into sentences with character offsets and stable ids.

Pure: no I/O. pysbd (English rules, `clean=False` so the text is not rewritten) splits each
block of the body, and every sentence is located again in the document from a moving cursor,
so `document.text[s.start:s.end] == s.text` holds even where pysbd's own spans drift.

Blocks are what no sentence may cross: the body spans, the paragraphs inside them, and lines
that end with sentence punctuation. A line that does not end like that is hard-wrapped prose,
and the sentence goes on on the next line (the newline is read as a space).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pysbd

from checker.types import Document, Sentence, Span

# Closing quotes and brackets may follow the punctuation that ends a sentence.
CLOSERS = "\"'”’»)\\]"
# A line ending like this ends a sentence (shared with the furniture filter, which must agree).
ENDS_SENTENCE = re.compile(rf"[.!?…][{CLOSERS}]*\s*$")
# pysbd's abbreviation pass takes time quadratic in the length of its input (a paragraph of
# 200,000 characters takes over a minute), so longer blocks are cut first: after a sentence
# end where the second half of the window has one, else at a space.
_MAX_BLOCK_CHARS = 5_000
_SENTENCE_END = re.compile(rf"[.!?…][{CLOSERS}]*\s+")


def segment(document: Document) -> list[Sentence]:
    """The sentences of `document.body` in order; the whole text when the body is not given."""
    # A Segmenter keeps state between calls, so each call gets its own (it is cheap to build).
    segmenter = pysbd.Segmenter(language="en", clean=False)
    spans = document.body or ((0, len(document.text)),)
    sentences: list[Sentence] = []
    for span in spans:
        for start, end in _blocks(document.text, span):
            for begin, stop in _sentence_spans(segmenter, document.text, start, end):
                text = document.text[begin:stop]
                if any(c.isalpha() for c in text):
                    ordinal = len(sentences)
                    sentences.append(
                        Sentence(
                            id=f"{document.id}#{ordinal}",
                            document_id=document.id,
                            ordinal=ordinal,
                            start=begin,
                            end=stop,
                            text=text,
                        )
                    )
    return sentences


def _blocks(text: str, span: Span) -> Iterator[Span]:
    """Sub-spans of `span` that no sentence crosses: at blank lines and after ended sentences."""
    start, end = span
    block_start = line_start = start
    while (newline := text.find("\n", line_start, end)) != -1:
        line = text[line_start:newline]
        if not line.strip() or ENDS_SENTENCE.search(line):
            yield from _bounded(block_start, newline, text)
            block_start = newline + 1
        line_start = newline + 1
    yield from _bounded(block_start, end, text)


def _bounded(start: int, end: int, text: str) -> Iterator[Span]:
    """[start, end) in pieces of at most _MAX_BLOCK_CHARS, cut where a sentence ends if any."""
    while end - start > _MAX_BLOCK_CHARS:
        limit = start + _MAX_BLOCK_CHARS
        ends = [m.end() for m in _SENTENCE_END.finditer(text, limit - _MAX_BLOCK_CHARS // 2, limit)]
        cut = ends[-1] if ends else (text.rfind(" ", start + 1, limit) + 1 or limit)
        yield start, cut
        start = cut
    yield start, end


def _sentence_spans(segmenter: pysbd.Segmenter, text: str, start: int, end: int) -> Iterator[Span]:
    """Offsets in `text` of each sentence pysbd finds in text[start:end], whitespace trimmed."""
    block = text[start:end].replace("\n", " ")  # same length, so offsets carry over
    if not block.strip():
        return
    cursor = 0
    for piece in segmenter.segment(block):
        found = _locate(block, piece.strip(), cursor)
        if found is not None:
            cursor = found[1]
            yield start + found[0], start + found[1]


def _locate(block: str, sentence: str, cursor: int) -> Span | None:
    """Where `sentence` lies in `block` at or after `cursor`, allowing changed whitespace."""
    if not sentence:
        return None
    at = block.find(sentence, cursor)
    if at != -1:
        return at, at + len(sentence)
    # pysbd can collapse or change whitespace inside a sentence; match word by word instead.
    pattern = r"\s+".join(re.escape(word) for word in sentence.split())
    match = re.compile(pattern).search(block, cursor)
    return match.span() if match else None
