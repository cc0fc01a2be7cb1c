"""Files and folders: which files to read, and each file read into Documents or Problems.

Text files must be UTF-8 (a byte-order mark is allowed). Anything else is reported, not
guessed: a wrong guess at an encoding silently garbles names and numbers, and the fix
(`iconv -f WINDOWS-1252 -t UTF-8`) is one command for whoever runs the ingest.
"""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from checker.errors import CheckerError, InvalidInput
from checker.ingest.metadata import Metadata, check_id, json_type, metadata_from
from checker.ingest.records import document_from_html, document_from_record, document_from_text
from checker.types import Document

TEXT_SUFFIXES = frozenset({".txt", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".json", ".jsonl"}
SIDECAR_SUFFIX = ".meta.json"


@dataclass(frozen=True)
class Problem:
    """One input that could not be ingested; ingest goes on with the rest.

    `origin` is "path", "path:LINE" (JSON lines, JSON syntax errors) or "path[INDEX]" (an item of
    a JSON list); `message` is one line a person understands.
    """

    origin: str
    message: str


def discover(paths: Sequence[Path]) -> list[Path]:
    """Expand files and folders into the files to read, each once, in a stable order.

    Folders are walked recursively and sorted, skipping hidden files and folders, `*.meta.json`
    sidecars and unsupported extensions. A file named explicitly is kept whatever its name
    (`read_file` reports it if it cannot be read). A path that does not exist, or a folder
    that cannot be listed, raises InvalidInput.
    """
    found: dict[Path, None] = {}
    for path in paths:
        if not path.exists():
            raise InvalidInput(f"{path}: no such file or directory", field="paths")
        found.update(dict.fromkeys(_walk(path) if path.is_dir() else [path]))
    return list(found)


def _walk(folder: Path) -> list[Path]:
    def refuse(error: OSError) -> None:
        raise InvalidInput(f"{error.filename}: cannot list folder ({error.strerror})")

    files: list[Path] = []
    for root, folders, names in os.walk(folder, onerror=refuse):
        folders[:] = [name for name in folders if not name.startswith(".")]
        files.extend(Path(root, name) for name in names if _wanted(name))
    return sorted(files)


def _wanted(name: str) -> bool:
    lowered = name.lower()
    return (
        not name.startswith(".")
        and not lowered.endswith(SIDECAR_SUFFIX)
        and Path(lowered).suffix in SUPPORTED_SUFFIXES
    )


def read_file(path: Path, max_chars: int) -> list[Document | Problem]:
    """The documents in one file, and a Problem for each part that could not be used.

    .txt/.md: one document, id = file stem, the text as is (only "\\r\\n" -> "\\n"); .html/.htm:
    one document of trafilatura's main text. Both take metadata from an optional sidecar
    `<stem>.meta.json` (title, source, url, published, language), which wins over what the
    page or text says. .json: one record or a list of records; .jsonl: one record a line
    (see `document_from_record`). Bad content never raises.
    """
    origin = str(path)
    lowered = path.name.lower()
    suffix = path.suffix.lower()
    if lowered.endswith(SIDECAR_SUFFIX):
        return [Problem(origin, "a metadata sidecar (*.meta.json), not a document")]
    if suffix not in SUPPORTED_SUFFIXES:
        expected = ", ".join(sorted(SUPPORTED_SUFFIXES))
        return [Problem(origin, f"unsupported file type '{suffix}' (expected {expected})")]
    text = _read_text(path)
    if isinstance(text, Problem):
        return [text]
    if suffix == ".json":
        return _read_json(origin, text, max_chars)
    if suffix == ".jsonl":
        return _read_json_lines(origin, text, max_chars)
    return [_read_single(path, text, max_chars)]


def _read_text(path: Path) -> str | Problem:
    """The file decoded as UTF-8, or the Problem that stops it."""
    origin = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        return Problem(origin, f"cannot read the file: {error.strerror or error}")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Problem(origin, "UTF-16 text; only UTF-8 is read (iconv -f UTF-16 -t UTF-8)")
    if b"\x00" in data:
        return Problem(origin, "contains NUL bytes: a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return Problem(
            origin,
            f"not valid UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "convert it, e.g. iconv -f WINDOWS-1252 -t UTF-8",
        )


def _read_single(path: Path, text: str, max_chars: int) -> Document | Problem:
    """A .txt/.md/.html file as one document, with its sidecar's metadata."""
    origin = str(path)
    metadata = _read_sidecar(path)
    if isinstance(metadata, Problem):
        return metadata
    try:
        doc_id = check_id(path.stem)
    except InvalidInput as error:
        return Problem(origin, f"the file name cannot be the document id: {error.detail}")
    read: Callable[[str, str, Metadata, int], Document] = (
        document_from_html if path.suffix.lower() in HTML_SUFFIXES else document_from_text
    )
    try:
        return read(doc_id, text, metadata, max_chars)
    except CheckerError as error:
        return Problem(origin, error.detail)


def _read_sidecar(path: Path) -> Metadata | Problem:
    """Metadata from `<stem>.meta.json` beside `path`; empty when there is none."""
    sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return Metadata()
    text = _read_text(sidecar)
    if isinstance(text, Problem):
        return text
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return Problem(f"{sidecar}:{error.lineno}", _json_error(error))
    if not isinstance(data, dict):
        return Problem(str(sidecar), "a sidecar must be a JSON object (title, source, url, ...)")
    try:
        return metadata_from(data)
    except InvalidInput as error:
        return Problem(str(sidecar), error.detail)


def _read_json(origin: str, text: str, max_chars: int) -> list[Document | Problem]:
    if not text.strip():
        return [Problem(origin, "empty file: no JSON records")]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return [Problem(f"{origin}:{error.lineno}", _json_error(error))]
    if isinstance(data, dict):
        return [_record(origin, data, max_chars)]
    if not isinstance(data, list):
        return [
            Problem(origin, f"JSON must be an object or a list of objects, not {json_type(data)}")
        ]
    if not data:
        return [Problem(origin, "an empty list: no JSON records")]
    return [_record(f"{origin}[{i}]", item, max_chars) for i, item in enumerate(data)]


def _read_json_lines(origin: str, text: str, max_chars: int) -> list[Document | Problem]:
    results: list[Document | Problem] = []
    # Split on "\n" only: str.splitlines() would also split at U+2028, which JSON allows
    # unescaped inside strings.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            results.append(Problem(f"{origin}:{number}", _json_error(error)))
            continue
        results.append(_record(f"{origin}:{number}", record, max_chars))
    return results or [Problem(origin, "empty file: no JSON lines")]


def _json_error(error: json.JSONDecodeError) -> str:
    return f"not valid JSON: {error.msg} (column {error.colno})"


def _record(origin: str, record: object, max_chars: int) -> Document | Problem:
    try:
        return document_from_record(record, max_chars)
    except CheckerError as error:
        return Problem(origin, error.detail)
