"""The `checker` command through click's runner, on real indexes under tmp_path."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from checker.cli import main
from tests.conftest import NO_FORCES, SEED_000, SEED_001, SEEDS, WITHDRAWAL


@pytest.fixture(scope="module")
def seeds_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("cli") / "index"
    result = CliRunner().invoke(main, ["ingest", str(SEEDS), "--index", str(index)])
    assert result.exit_code == 0, result.output
    assert "2 added, 0 replaced, 0 unchanged, 0 problems" in result.stdout
    return index


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_check_json_sorts_the_seeds(seeds_index: Path) -> None:
    result = run(
        "check", "Armenian forces are present in Karabakh", "--index", str(seeds_index), "--json"
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert any(NO_FORCES in p["text"] for p in body["contradicting"])
    assert any(WITHDRAWAL in p["text"] for p in body["supporting"])


def test_check_is_readable_by_default(seeds_index: Path) -> None:
    result = run("check", "Armenian forces are present in Karabakh", "--index", str(seeds_index))
    assert result.exit_code == 0, result.output
    assert "CONTRADICTING (" in result.output and NO_FORCES in result.output
    assert f"{SEED_001}#" in result.output


@pytest.mark.parametrize("fmt", ["md", "json", "html"])
def test_report_lists_the_armenian_pair_first(seeds_index: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    result = run("report", "--index", str(seeds_index), "--format", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    first_withdrawal = text.find("remaining Armenian forces")
    assert first_withdrawal != -1
    if fmt == "json":
        top = json.loads(text)["findings"][0]
        assert {top["a"]["document"]["id"], top["b"]["document"]["id"]} == {SEED_000, SEED_001}
        assert "there are no Armenian armed forces" in top["b"]["text"]


def test_report_to_stdout_names_both_documents(seeds_index: Path) -> None:
    result = run("report", "--index", str(seeds_index))
    assert result.exit_code == 0, result.output
    first_card = result.output.split("## 2.")[0]
    assert "## 1." in first_card
    # The untitled seed is named by its id (Markdown-escaped); no sentence ids, no server path.
    assert SEED_000.replace("_", "\\_") in first_card
    assert "Separatists in Karabakh Accept" in first_card and "Armenian armed forces" in first_card
    assert f"{SEED_000}#" not in first_card and str(seeds_index) not in result.output
    # Who asserts each side, and when: the accord calls for it, Pashinyan claims there are none.
    assert "_The accord — called for_" in first_card  # the report gives no date
    assert "_Armenian PM Nikol Pashinyan — claiming · as of 2023-09-19_" in first_card


def test_check_says_who_asserts_each_passage(seeds_index: Path) -> None:
    result = run("check", "Armenian forces are present in Karabakh", "--index", str(seeds_index))
    assert result.exit_code == 0, result.output
    assert "CHANGED OVER TIME (" in result.output
    assert "Armenian PM Nikol Pashinyan — claiming · as of 2023-09-19" in result.output


def test_delete_and_its_errors(seeds_index: Path, tmp_path: Path) -> None:
    index = tmp_path / "own"
    assert run("ingest", str(SEEDS / f"{SEED_000}.txt"), "--index", str(index)).exit_code == 0
    assert run("delete", SEED_000, "--index", str(index)).output.strip() == f"deleted {SEED_000}"
    missing = run("delete", SEED_000, "--index", str(index))
    assert missing.exit_code == 3 and "no document" in missing.output


def test_ingest_reports_problems_and_keeps_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("The council approved the new budget on Monday.\n")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    (folder / "lines.jsonl").write_text('{"id": "j1", "text": "The dam is full."}\n{broken\n')
    result = run("ingest", str(folder), "--index", str(tmp_path / "index"))
    assert result.exit_code == 2
    assert "2 added" in result.output
    assert "problem:" in result.output and "lines.jsonl:2" in result.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["ingest", "/no/such/path"], 2, "error: "),
        (["check", "anything", "--index", "/no/such/index"], 4, "error: no index at"),
        (["--set", "colour=red", "status"], 2, "error: --set expects NAME=VALUE"),
        (["--set", "k=many", "status"], 2, "error: CHECKER_K='many' is not a valid int"),
    ],
)
def test_errors_are_one_line_and_a_nonzero_exit(args: list[str], code: int, message: str) -> None:
    result = run(*args)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_only_the_commands_that_judge_load_the_nli_model(tmp_path: Path) -> None:
    """The judge is built on first use: `status`, `ingest` and the audit log never judge, so a
    model that cannot load does not stop them (loading it was most of their start-up).
    `check` and `report` judge: they fail in one line before any work, and the scan's
    documents stay pending."""
    index = tmp_path / "index"
    missing = ["--set", f"nli_model={tmp_path / 'no-model'}"]
    record = tmp_path / "wire.jsonl"
    record.write_text(json.dumps({"id": "wire-1", "text": "Eleven ferries were cancelled."}))
    assert run(*missing, "ingest", str(SEEDS), str(record), "--index", str(index)).exit_code == 0
    status = run(*missing, "status", "--index", str(index))
    assert status.exit_code == 0 and json.loads(status.stdout)["documents"] == 3
    assert run(*missing, "audit", "--index", str(index)).exit_code == 0
    for command in (["check", "Armenian forces are present"], ["report"]):
        result = run(*missing, *command, "--index", str(index))
        assert result.exit_code == 5, result.output
        assert (
            result.output == f"error: NLI model directory {tmp_path / 'no-model'} does not exist\n"
        )
    out = tmp_path / "report.md"
    report = run("report", "--index", str(index), "--out", str(out))  # the model loads now
    assert report.exit_code == 0, report.output
    assert report.stderr.startswith("scanned 3 new or changed documents")  # none was lost


PASHINYAN = (
    "Armenian PM Nikol Pashinyan voiced his concern over one term of the agreement being “the "
    "withdrawal of Armenian forces,” claiming that there are no Armenian armed forces in "
    "Karabakh, reiterating the comments from the Armenian MFA yesterday."
)


def test_html_report_escapes_scraped_markup_groups_copies_and_lists_resolved(
    tmp_path: Path,
) -> None:
    index = str(tmp_path / "index")
    scraped = tmp_path / "scraped.json"  # a copy of the 001 sentence, scraped with markup
    record = {
        "id": "scraped",
        "title": "<script>alert('title')</script>Karabakh copy",
        "source": "<script>alert('source')</script>",
        "text": PASHINYAN,
    }
    scraped.write_text(json.dumps(record))
    assert run("ingest", str(SEEDS), str(scraped), "--index", index).exit_code == 0
    out = tmp_path / "report.html"
    assert run("report", "--index", index, "--format", "html", "--out", str(out)).exit_code == 0
    html = out.read_text()

    assert "<script" not in html
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;Karabakh copy" in html
    first_card = html.split('<section class="card')[1]  # the seeds' contradiction comes first
    assert "<mark>remaining Armenian forces</mark>" in first_card
    assert "<mark>no Armenian armed forces</mark>" in first_card
    assert SEED_000 in first_card and "Separatists in Karabakh Accept" in first_card
    assert '<span class="badge new">new</span>' in first_card
    assert "repeated ×2 · 3 documents" in first_card  # the copy joins the seeds' card...
    assert html.count('<section class="card') == 1  # ...and is not set against its original
    assert "ClaimReview JSON-LD" in first_card
    # One run draws no chart worth reading: a sentence says what it found (chart from three).
    assert 'id="per-day"' in html and "2 contradictions found in 1 run" in html
    assert "<svg" not in html

    assert run("delete", "scraped", "--index", index).exit_code == 0
    again = run("report", "--index", index, "--format", "json")
    payload = json.loads(again.stdout)
    assert payload["summary"]["line"].startswith("No new contradictions since the last report")
    assert [r["resolution"] for r in payload["resolved"]] == ["document deleted"]
    assert payload["resolved"][0]["b"]["document"]["id"] == "scraped"
    assert payload["groups"][0]["count"] == 1 and not payload["findings"][0]["new"]
    assert [day["runs"] for day in payload["history"]] == [2]


def test_report_exports_claimreview(seeds_index: Path) -> None:
    result = run("report", "--index", str(seeds_index), "--format", "claimreview")
    assert result.exit_code == 0, result.output
    top = json.loads(result.stdout)[0]
    assert top["@context"] == "https://schema.org" and top["@type"] == "ClaimReview"
    assert WITHDRAWAL in top["claimReviewed"]
    assert top["itemReviewed"]["appearance"]["name"] == SEED_000  # the seed has no title
    assert top["reviewRating"]["alternateName"] == (
        "Contradicted by Separatists in Karabakh Accept Azerbaijan’s Ceasefire Terms"
    )
    assert NO_FORCES in top["reviewRating"]["ratingExplanation"]


def test_report_analyses_an_index_built_before_sentence_analysis(tmp_path: Path) -> None:
    index = tmp_path / "index"
    assert run("ingest", str(SEEDS), "--index", str(index)).exit_code == 0
    with sqlite3.connect(index / "checker.sqlite3") as conn:  # as the previous release left it
        conn.execute("DELETE FROM analyses")
        conn.execute("DELETE FROM meta WHERE key = 'analysis_version'")
    result = run("report", "--index", str(index), "--format", "json")
    assert result.exit_code == 0, result.output
    with sqlite3.connect(index / "checker.sqlite3") as conn:
        analysed, sentences = conn.execute(
            "SELECT (SELECT COUNT(*) FROM analyses), (SELECT COUNT(*) FROM sentences)"
        ).fetchone()
    assert analysed == sentences > 0
    top = json.loads(result.stdout)["findings"][0]
    assert top["b"]["attribution"]["text"] == "Armenian PM Nikol Pashinyan — claiming"
