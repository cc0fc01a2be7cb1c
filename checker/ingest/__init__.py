"""Ingest: source files and JSON records -> `Document`s of main text, with metadata.

The stage owns everything between raw input and a Document: finding the files
(`discover`), reading and decoding them, HTML main-text extraction (trafilatura), telling
article prose from page furniture (navigation, captions, share buttons, repeated headlines,
date lines), and metadata (sidecar files, record fields, page markup, guesses from the
furniture, in that order of precedence). Offsets in a Document's `body` index its `text`.

    sources      discover(), read_file(), Problem: files, encodings, JSON and JSON lines
    records      document_from_record() and the path every input takes to a Document
    metadata     Metadata, id and field validation
    webpage      HTML -> main text and page metadata (trafilatura)
    boilerplate  prose spans vs furniture; title and date guessed from the furniture
    dates        dates -> ISO 8601 (dateparser)
"""

from __future__ import annotations

from checker.ingest.records import document_from_record
from checker.ingest.sources import SUPPORTED_SUFFIXES, Problem, discover, read_file

__all__ = ["SUPPORTED_SUFFIXES", "Problem", "discover", "document_from_record", "read_file"]
