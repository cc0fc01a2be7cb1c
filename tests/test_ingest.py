"""Ingest: files, folders, JSON records and HTML pages -> Documents of main text, or Problems."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from checker.errors import InvalidInput, PayloadTooLarge
from checker.ingest import Problem, discover, document_from_record, read_file
from checker.segment import segment
from checker.types import Document

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SCRAPED = SEEDS / "001_8033d1b0714a6b2e.txt"
CLEAN = SEEDS / "000_434e7cb778165911.txt"
HEADLINE = "Separatists in Karabakh Accept Azerbaijan’s Ceasefire Terms"
MAX = 2_000_000

ARTICLE_HTML = """<!doctype html>
<html lang="en"><head>
<title>Ceasefire agreed in Karabakh | Example News</title>
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2023-09-20T14:00:00+00:00">
<link rel="canonical" href="https://news.example.org/world/ceasefire">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li></ul></nav>
<header><h1>Ceasefire agreed in Karabakh</h1></header>
<article>
<h1>Ceasefire agreed in Karabakh</h1>
<p>On 20 September, the de facto authorities in Karabakh agreed to Azerbaijan's ceasefire
terms.</p>
<figure><img src="a.jpg" alt=""><figcaption>Image: MOD Azerbaijan</figcaption></figure>
<p>The Armenian prime minister said there are no Armenian armed forces in Karabakh.</p>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Tweet</a>
<a href="#">Email</a> <a href="#">Print</a></div>
<ul class="related"><li><a href="/a">Read more</a></li></ul>
<p>Talks were set for 21 September in Yevlakh.</p>
</article>
<aside><h2>Most read</h2><ul><li><a href="/x">Storm hits coast</a></li></ul></aside>
<footer><p>© 2023 Example News. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body></html>
"""
ARTICLE_SENTENCES = [
    # trafilatura joins the lines of a paragraph
    "On 20 September, the de facto authorities in Karabakh agreed to Azerbaijan's ceasefire terms.",
    "The Armenian prime minister said there are no Armenian armed forces in Karabakh.",
    "Talks were set for 21 September in Yevlakh.",
]


def only_document(results: list[Document | Problem]) -> Document:
    assert len(results) == 1 and isinstance(results[0], Document), results
    return results[0]


def only_problem(results: list[Document | Problem]) -> Problem:
    assert len(results) == 1 and isinstance(results[0], Problem), results
    return results[0]


def sentence_texts(document: Document) -> list[str]:
    return [s.text for s in segment(document)]


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --- the seeds -------------------------------------------------------------------------


def test_scraped_seed_furniture_never_becomes_a_sentence() -> None:
    document = only_document(read_file(SCRAPED, MAX))
    texts = sentence_texts(document)
    assert document.id == "001_8033d1b0714a6b2e"
    assert len(texts) == 18
    for text in texts:
        assert "Home" not in text
        assert "Image:" not in text and "MOD Azerbaijan" not in text
        assert "Ceasefire\u00a0Terms" not in text and HEADLINE not in text
        assert "20 September 2023" not in text
    assert texts[0].startswith("On 20 September, the de facto authorities")


def test_scraped_seed_metadata() -> None:
    document = only_document(read_file(SCRAPED, MAX))
    assert document.title == HEADLINE
    assert document.published == "2023-09-20"
    assert document.source is None and document.url is None


def test_scraped_seed_title_and_date_come_from_the_text_without_a_sidecar(
    tmp_path: Path,
) -> None:
    copy = Path(shutil.copy(SCRAPED, tmp_path))
    document = only_document(read_file(copy, MAX))
    assert document.title == HEADLINE
    assert document.published == "2023-09-20"
    assert document.text == SCRAPED.read_text(encoding="utf-8")


def test_scraped_seed_pashinyan_claim_is_one_sentence() -> None:
    document = only_document(read_file(SCRAPED, MAX))
    [sentence] = [s for s in segment(document) if "no Armenian armed forces" in s.text]
    assert sentence.text.startswith("Armenian PM Nikol Pashinyan voiced his concern")
    assert "there are no Armenian armed forces in Karabakh" in sentence.text
    assert sentence.text.endswith("from the Armenian MFA yesterday.")
    assert document.text[sentence.start : sentence.end] == sentence.text


def test_clean_seed_withdrawal_sentence_is_one_sentence() -> None:
    document = only_document(read_file(CLEAN, MAX))
    [sentence] = [s for s in segment(document) if "withdrawal" in s.text]
    assert sentence.text == (
        "The accord called for a full stop to hostilities at the specified moment and the "
        "withdrawal of remaining Armenian forces."
    )
    assert document.text[sentence.start : sentence.end] == sentence.text


def test_clean_seed_is_all_body_and_has_no_invented_metadata() -> None:
    document = only_document(read_file(CLEAN, MAX))
    assert document.body == ((0, len(document.text.rstrip())),)
    assert document.title is None and document.published is None and document.url is None
    assert document.language == "en"
    assert len(segment(document)) == 18


# --- text files and sidecars ------------------------------------------------------------


def test_sidecar_metadata_wins_over_guesses(tmp_path: Path) -> None:
    text = "Old headline\n\nThe vote passed on Monday.\n\nOld headline\n"
    path = write(tmp_path / "vote.md", text)
    guessed = only_document(read_file(path, MAX))
    assert guessed.title == "Old headline"
    sidecar = {
        "title": "  The real title ",
        "source": "Wire",
        "url": "https://example.org/vote",
        "published": "September 21, 2023",
        "language": "en",
        "editor": "ignored",
    }
    write(tmp_path / "vote.meta.json", json.dumps(sidecar))
    document = only_document(read_file(path, MAX))
    assert (document.title, document.source, document.url) == (
        "The real title",
        "Wire",
        "https://example.org/vote",
    )
    assert document.published == "2023-09-21"
    assert document.id == "vote"
    assert sentence_texts(document) == ["The vote passed on Monday."]


def test_crlf_becomes_lf_and_offsets_follow(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"The vote passed.\r\nIt was close.\r\n")
    document = only_document(read_file(path, MAX))
    assert document.text == "The vote passed.\nIt was close.\n"
    assert sentence_texts(document) == ["The vote passed.", "It was close."]


def test_utf8_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = write(tmp_path / "bom.txt", "\ufeffThe vote passed.".encode())
    assert only_document(read_file(path, MAX)).text == "The vote passed."


def test_short_prose_lines_are_kept_and_headings_are_not(tmp_path: Path) -> None:
    text = (
        "PM denies knowledge of kickbacks\n"
        "The Prime Minister has denied he knew about the payments to the exporter.\n"
        "He declined to comment.\n"
        "It ended on 20 September 2023.\n"
        "\n"
        "Support\n"
        "Growers in central western New South Wales still back the exporter, they say.\n"
        "• The inquiry resumes on Monday in Sydney.\n"
        "• Contact us\n"
        "Photo: ABC Rural\n"
        "Share\n"
    )
    document = only_document(read_file(write(tmp_path / "abc.txt", text), MAX))
    assert document.title == "PM denies knowledge of kickbacks"
    assert document.published is None
    assert sentence_texts(document) == [
        "The Prime Minister has denied he knew about the payments to the exporter.",
        "He declined to comment.",
        "It ended on 20 September 2023.",
        "Growers in central western New South Wales still back the exporter, they say.",
        "The inquiry resumes on Monday in Sydney.",
    ]


def test_markdown_heading_is_the_title(tmp_path: Path) -> None:
    text = "# Ceasefire holds\n\nThe guns fell silent at 13:00.\n"
    document = only_document(read_file(write(tmp_path / "c.md", text), MAX))
    assert document.title == "Ceasefire holds"
    assert sentence_texts(document) == ["The guns fell silent at 13:00."]


# --- HTML ----------------------------------------------------------------------------


def test_html_page_yields_only_article_prose(tmp_path: Path) -> None:
    path = write(tmp_path / "page.html", ARTICLE_HTML)
    document = only_document(read_file(path, MAX))
    assert sentence_texts(document) == ARTICLE_SENTENCES
    assert "Privacy" not in document.text and "Most read" not in document.text
    assert document.id == "page"
    assert document.title == "Ceasefire agreed in Karabakh"
    assert document.source == "Example News"
    assert document.url == "https://news.example.org/world/ceasefire"
    assert document.published == "2023-09-20"


def test_html_sidecar_wins_over_page_metadata(tmp_path: Path) -> None:
    path = write(tmp_path / "page.htm", ARTICLE_HTML)
    write(tmp_path / "page.meta.json", json.dumps({"title": "Edited", "published": "2023-09-19"}))
    document = only_document(read_file(path, MAX))
    assert (document.title, document.published) == ("Edited", "2023-09-19")
    assert document.source == "Example News"


@pytest.mark.parametrize(
    ("html", "words"),
    [
        ("<html><body><div></div></body></html>", "no article text"),
        ("<html><body><p>Home</p><p>Share on Facebook</p></body></html>", "no article prose"),
    ],
)
def test_html_without_article_text_is_a_problem(tmp_path: Path, html: str, words: str) -> None:
    path = write(tmp_path / "empty.html", html)
    assert words in only_problem(read_file(path, MAX)).message


# --- JSON and JSON lines -----------------------------------------------------------------


def test_json_list_of_records(tmp_path: Path) -> None:
    records = [
        {
            "id": "a1",
            "title": "T",
            "source": "Wire",
            "url": None,
            "published": "2023-09-20",
            "text": "The vote passed.",
        },
        {"text": "It was close.", "language": "en", "extra": [1, 2]},
        {"id": "bad/id", "text": "Never read."},
    ]
    path = write(tmp_path / "batch.json", json.dumps(records))
    first, second, problem = read_file(path, MAX)
    assert isinstance(first, Document) and isinstance(second, Document)
    assert (first.id, first.title, first.source, first.published) == (
        "a1",
        "T",
        "Wire",
        "2023-09-20",
    )
    assert second.id.startswith("sha1-") and len(second.id) == len("sha1-") + 16
    assert second.language == "en"
    assert isinstance(problem, Problem)
    assert problem.origin == f"{path}[2]" and "'/'" in problem.message


def test_json_single_record_with_html(tmp_path: Path) -> None:
    path = write(tmp_path / "one.json", json.dumps({"id": "p", "html": ARTICLE_HTML}))
    document = only_document(read_file(path, MAX))
    assert sentence_texts(document) == ARTICLE_SENTENCES
    assert document.url == "https://news.example.org/world/ceasefire"


def test_jsonl_bad_line_is_reported_with_its_number_and_the_rest_is_read(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "one", "text": "The vote passed."}),
        "",
        '{"id": "two", "text": ',
        # a raw U+2028 is allowed inside a JSON string, and is not a line break here
        json.dumps({"id": "three", "text": "It was close.\u2028Very close."}, ensure_ascii=False),
        json.dumps({"id": "four"}),
    ]
    path = write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n")
    one, broken, three, missing = read_file(path, MAX)
    assert isinstance(one, Document) and one.id == "one"
    assert isinstance(broken, Problem) and broken.origin == f"{path}:3"
    assert broken.message == "not valid JSON: Expecting value (column 23)"
    assert isinstance(three, Document) and three.id == "three"
    assert isinstance(missing, Problem) and missing.origin == f"{path}:5"
    assert "'text'" in missing.message


def test_same_text_gets_the_same_generated_id() -> None:
    a = document_from_record({"text": "The vote passed."}, MAX)
    b = document_from_record({"text": "The vote passed.", "title": "Other"}, MAX)
    c = document_from_record({"text": "The vote failed."}, MAX)
    assert a.id == b.id != c.id


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("20 September 2023", "2023-09-20"),
        ("2023-09-20", "2023-09-20"),
        ("Sep 20, 2023 1:05 pm", "2023-09-20T13:05:00"),
        ("2023-09-20T13:00:00+04:00", "2023-09-20T13:00:00+04:00"),
        ("2023-09-20T13:00:00Z", "2023-09-20T13:00:00+00:00"),
        ("", None),
        (None, None),
    ],
)
def test_published_is_normalised(raw: str | None, iso: str | None) -> None:
    record = {"text": "The vote passed.", "published": raw}
    assert document_from_record(record, MAX).published == iso


@pytest.mark.parametrize(
    ("record", "field", "words"),
    [
        ({"id": "a/b", "text": "x y."}, "id", "'/'"),
        ({"id": "a#b", "text": "x y."}, "id", "'#'"),
        ({"id": "a\tb", "text": "x y."}, "id", "control"),
        ({"id": "", "text": "x y."}, "id", "empty"),
        ({"id": "x" * 201, "text": "x y."}, "id", "200"),
        ({"id": 7, "text": "x y."}, "id", "a number"),
        ({"title": ["T"], "text": "x y."}, "title", "a list"),
        ({"url": 3, "text": "x y."}, "url", "string or null"),
        ({"published": "soon", "text": "x y."}, "published", "not a date"),
        ({"published": "2023-02-30", "text": "x y."}, "published", "not a date"),
        ({"published": 1695168000, "text": "x y."}, "published", "a number"),
        ({"title": "T"}, "text", "missing"),
        ({"text": 5}, "text", "a number"),
        ({"text": "   \n "}, "text", "empty"),
        ({"text": "a\x00b."}, "text", "NUL"),
        ({"text": "x y.", "html": "<p>x y.</p>"}, "html", "not both"),
        ({"html": {"p": 1}}, "html", "an object"),
        ({"text": "• Home\n• World\nShare\n20 September 2023\n"}, "text", "no article prose"),
    ],
)
def test_bad_records_name_the_field(record: dict[str, object], field: str, words: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        document_from_record(record, MAX)
    assert raised.value.field == field
    assert words in raised.value.detail
    assert "\n" not in raised.value.detail


def test_record_that_is_not_an_object() -> None:
    with pytest.raises(InvalidInput, match="JSON object, not a list"):
        document_from_record(["text"], MAX)


def test_record_over_max_chars_is_too_large() -> None:
    with pytest.raises(PayloadTooLarge, match="over the limit of 10"):
        document_from_record({"text": "The vote passed."}, 10)


# --- files that cannot be read -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("binary.txt", b"PK\x03\x04\x00\x00\x01", "binary"),
        ("latin1.txt", "Café au lait.".encode("latin-1"), "not valid UTF-8"),
        ("utf16.txt", "The vote passed.".encode("utf-16"), "UTF-16"),
        ("empty.txt", b"", "empty document"),
        ("blank.md", b"  \n\t\n", "empty document"),
        ("furniture.txt", "• Home\n• World\nImage: AP\nShare\n".encode(), "no article prose"),
        ("a#b.txt", b"The vote passed.", "file name"),
        ("empty.json", b" \n", "empty file"),
        ("broken.json", b'{"text": "x"', "not valid JSON"),
        ("number.json", b"42", "object or a list of objects, not a number"),
        ("nothing.json", b"[]", "empty list"),
        ("nothing.jsonl", b"\n\n", "empty file"),
        ("notes.pdf", b"%PDF-1.7", "unsupported file type '.pdf'"),
        ("x.meta.json", b"{}", "sidecar"),
    ],
)
def test_unusable_files_are_problems(tmp_path: Path, name: str, content: bytes, words: str) -> None:
    path = write(tmp_path / name, content)
    problem = only_problem(read_file(path, MAX))
    assert problem.origin.startswith(str(path))
    assert words in problem.message
    assert "\n" not in problem.message


def test_over_max_chars_is_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path / "long.txt", "The vote passed. " * 10)
    assert "over the limit of 100" in only_problem(read_file(path, 100)).message


def test_a_folder_or_missing_file_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    assert "cannot read" in only_problem(read_file(tmp_path / "folder.txt", MAX)).message
    assert "cannot read" in only_problem(read_file(tmp_path / "gone.txt", MAX)).message


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path / "secret.txt", "The vote passed.")
    path.chmod(0)
    try:
        assert "Permission denied" in only_problem(read_file(path, MAX)).message
    finally:
        path.chmod(0o600)


def test_bad_sidecar_is_a_problem_of_the_sidecar(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "The vote passed.")
    sidecar = write(tmp_path / "a.meta.json", json.dumps({"published": "whenever"}))
    problem = only_problem(read_file(path, MAX))
    assert problem.origin == str(sidecar) and "'published'" in problem.message
    write(sidecar, "{oops")
    assert only_problem(read_file(path, MAX)).origin == f"{sidecar}:1"


# --- discover ------------------------------------------------------------------------


def test_discover_walks_nested_folders_in_order(tmp_path: Path) -> None:
    for name in [
        "b.txt",
        "a/z.jsonl",
        "a/deeper/story.HTML",
        "a/deeper/story.meta.json",
        "a/notes.pdf",
        "a/.hidden.txt",
        ".git/config.txt",
        "c/d.md",
        "c/e.json",
        "c/f.htm",
    ]:
        write(tmp_path / name, "x")
    explicit = write(tmp_path / "elsewhere" / "odd.csv", "x")
    found = discover([tmp_path, explicit, tmp_path / "b.txt"])
    assert found == [
        tmp_path / "a" / "deeper" / "story.HTML",
        tmp_path / "a" / "z.jsonl",
        tmp_path / "b.txt",
        tmp_path / "c" / "d.md",
        tmp_path / "c" / "e.json",
        tmp_path / "c" / "f.htm",
        explicit,
    ]


def test_discover_refuses_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such file or directory"):
        discover([tmp_path, tmp_path / "missing"])


def test_discover_then_read_the_seeds() -> None:
    found = discover([SEEDS])
    assert [p.name for p in found] == [CLEAN.name, SCRAPED.name]
    documents = [d for path in found for d in read_file(path, MAX)]
    assert all(isinstance(d, Document) for d in documents)
