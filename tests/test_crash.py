"""Crashes and damage: a real `kill -9` mid-ingest, a full disk, a read-only index directory,
and indexes with a missing or corrupt file, through the real CLI, the store and the app.

The "full disk" is a real kernel limit: RLIMIT_FSIZE makes every write past the limit fail
with EFBIG (SIGXFSZ is ignored, as CPython does by default), which is what SQLite and FAISS
see when a disk fills. The read-only directory is a real read-only bind mount in a private
mount namespace (`unshare --mount`); as root, chmod would not stop a write.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

import checker.web
from checker.cli import main
from checker.embed import Embedder
from checker.errors import IndexUnavailable
from checker.service import Checker
from checker.settings import Settings
from checker.store import DATABASE_NAME, VECTORS_NAME, Store, audit
from checker.store.database import connect
from checker.store.manifest import MANIFEST_NAME
from checker.types import Document, Sentence
from checker.web import create_app
from tests.conftest import NO_FORCES, SEED_000, SEED_001, SEEDS, ingest_paths
from tests.test_web import assert_problem

CLAIM = "Armenian forces are present in Karabakh"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
KILL_WAIT_SECONDS = 300  # model loading plus one batch on a busy 2-core machine; a bound only


def checker_cli(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "checker", *args],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=KILL_WAIT_SECONDS,
        **kwargs,
    )


def write_records(path: Path, count: int, start: int = 0) -> list[str]:
    """`count` two-sentence reports, each saying something no other one says; their ids."""
    ids = []
    with path.open("w", encoding="utf-8") as out:
        for n in range(start, start + count):
            ids.append(f"report-{n:04d}")
            text = (
                f"The river gauge at station {n} rose {n % 97 + 3} centimetres overnight. "
                f"Officials in district {n} said road {n * 7 % 1000} would reopen on day {n}."
            )
            out.write(json.dumps({"id": ids[-1], "title": f"Report {n}", "text": text}) + "\n")
    return ids


def read_only(index: Path) -> contextlib.closing[sqlite3.Connection]:
    return contextlib.closing(sqlite3.connect(f"file:{index / DATABASE_NAME}?mode=ro", uri=True))


def stored_ids(index: Path) -> list[str]:
    with read_only(index) as conn:
        return [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY id")]


def assert_consistent(index: Path) -> dict[str, Any]:
    """SQLite, the saved FAISS file and the manifest describe the same sentences."""
    with read_only(index) as conn:
        keys = {r[0] for r in conn.execute("SELECT key FROM sentences")}
        query = "SELECT value FROM meta WHERE key = 'generation'"
        generation = int(conn.execute(query).fetchone()[0])
        documents = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    vectors = faiss.read_index(str(index / VECTORS_NAME))
    assert set(faiss.vector_to_array(vectors.id_map).tolist()) == keys
    assert vectors.ntotal == len(keys)
    manifest = json.loads((index / MANIFEST_NAME).read_text())
    assert manifest["generation"] == generation
    assert (manifest["documents"], manifest["sentences"]) == (documents, len(keys))
    assert not list(index.glob(".*.tmp"))  # no half-written file left behind
    return manifest


# -- kill -9 in the middle of a large ingest -----------------------------------------------


def test_kill_9_mid_ingest_keeps_every_committed_batch(tmp_path: Path, embedder: Embedder) -> None:
    records = tmp_path / "reports.jsonl"
    ids = write_records(records, 600)  # 1,200 sentences: five batches of 256
    index = tmp_path / "index"
    command = [sys.executable, "-m", "checker", "ingest", str(records), "--index", str(index)]
    process = subprocess.Popen(command, env=ENV, stderr=subprocess.PIPE, stdout=subprocess.PIPE)
    committed: list[str] = []
    deadline = time.monotonic() + KILL_WAIT_SECONDS
    try:
        while not committed and time.monotonic() < deadline and process.poll() is None:
            if (index / MANIFEST_NAME).exists():
                # A batch whose transaction committed is visible to another connection.
                committed = stored_ids(index)
            time.sleep(0.02)
        assert process.poll() is None, "the ingest ended before it could be killed"
        assert committed, "no batch committed in time"
    finally:
        process.kill()  # SIGKILL: no handler, no flush, no cleanup
        process.communicate()
    assert process.returncode == -signal.SIGKILL
    assert 0 < len(committed) < len(ids)

    # The files on disk are behind SQLite (FAISS is saved after the last batch only);
    # opening the index repairs them from SQLite.
    status = checker_cli("status", "--index", str(index))
    assert status.returncode == 0, status.stderr
    counts = json.loads(status.stdout)
    kept = stored_ids(index)
    assert set(committed) <= set(kept) and counts["documents"] == len(kept)
    assert kept == ids[: len(kept)]  # whole batches, in input order; nothing half-stored
    assert counts["sentences"] == 2 * len(kept)
    manifest = assert_consistent(index)
    assert manifest["documents"] == len(kept)

    reopened = Checker.from_settings(Settings(index=index), embedder=embedder)
    first = "The river gauge at station 0 rose 3 centimetres overnight."
    hits = reopened.store.search(embedder.encode([first]), 1)[0]
    assert hits[0].sentence.text == first and hits[0].similarity > 0.99
    reopened.close()

    again = checker_cli("ingest", str(records), "--index", str(index), "--json")
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert sorted(summary["unchanged"]) == kept
    assert sorted(summary["added"]) == ids[len(kept) :]
    assert stored_ids(index) == ids
    assert assert_consistent(index)["sentences"] == 2 * len(ids)


def test_a_write_killed_while_saving_leaves_no_temporary_files(tmp_path: Path) -> None:
    """`write_atomic` renames a finished temporary file over the old one; a process killed
    before the rename leaves the temporary behind, and the next writer removes it."""
    store = Store.open(tmp_path, "test-model", 4)
    store.close()
    for stale in (f".{VECTORS_NAME}.k1ll3d.tmp", f".{MANIFEST_NAME}.k1ll3d.tmp"):
        (tmp_path / stale).write_bytes(b"half a file")
    keep = tmp_path / ".notes.tmp"  # not ours: left alone
    keep.write_text("x")
    Store.open(tmp_path, "test-model", 4).close()
    assert sorted(p.name for p in tmp_path.glob(".*.tmp")) == [keep.name]


def test_an_index_whose_creation_was_cut_short_can_still_be_created(tmp_path: Path) -> None:
    """Killed after creating the database but before writing the manifest: nothing was
    stored, so the next ingest carries on; a database with documents is never adopted."""
    (tmp_path / "a").mkdir()
    connect(tmp_path / "a" / DATABASE_NAME).close()
    Store.open(tmp_path / "a", "test-model", 4).close()
    assert json.loads((tmp_path / "a" / MANIFEST_NAME).read_text())["dimension"] == 4

    store = Store.open(tmp_path / "b", "test-model", 4)
    with store.writing() as writer:
        vector = np.ones((1, 4), dtype=np.float32) / 2
        document = Document(id="d", text="One.", body=((0, 4),))
        writer.put_document(document, [Sentence("d#0", "d", 0, 0, 4, "One.")], vector)
    store.close()
    (tmp_path / "b" / MANIFEST_NAME).unlink()
    with pytest.raises(IndexUnavailable, match=r"has a database but no manifest\.json"):
        Store.open(tmp_path / "b", "test-model", 4)


# -- a full disk and a read-only directory during ingest -----------------------------------


@pytest.fixture(scope="module")
def seeds_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    index = tmp_path_factory.mktemp("seeds") / "index"
    checker = Checker.from_settings(Settings(index=index), embedder=embedder)
    assert ingest_paths(checker, SEEDS).added == [SEED_000, SEED_001]
    checker.close()
    return index


@pytest.fixture
def index(seeds_index: Path, tmp_path: Path) -> Path:
    """A fresh copy of the seeds index for a test to damage."""
    copy = tmp_path / "index"
    shutil.copytree(seeds_index, copy)
    return copy


def snapshot(index: Path) -> dict[str, bytes]:
    return {name: (index / name).read_bytes() for name in (MANIFEST_NAME, VECTORS_NAME)}


def assert_seeds_answer(index: Path, embedder: Embedder) -> None:
    """The index opens and answers the seeds' canonical check."""
    checker = Checker.from_settings(Settings(index=index), embedder=embedder, create=False)
    result = checker.check(CLAIM)
    assert any(NO_FORCES in p.hit.sentence.text for p in result.contradicting)
    checker.close()


def limit_file_size(limit: int) -> Callable[[], None]:
    def apply() -> None:  # runs in the child, before exec
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    return apply


@contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """In this process, for the block: every write past `limit` bytes of a file fails."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def test_a_full_disk_during_ingest_is_one_line_and_changes_nothing(
    index: Path, tmp_path: Path, embedder: Embedder
) -> None:
    before = snapshot(index)
    counts = json.loads(checker_cli("status", "--index", str(index)).stdout)
    records = tmp_path / "reports.jsonl"
    write_records(records, 200)  # a 400-sentence batch: far more than 64 KiB of WAL
    result = checker_cli(
        "ingest", str(records), "--index", str(index), preexec_fn=limit_file_size(64 * 1024)
    )
    assert result.returncode == 4, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"cannot write to the index at {index}" in lines[0]
    assert "nothing of this write was stored" in lines[0]
    assert snapshot(index) == before
    status = checker_cli("status", "--index", str(index))
    assert json.loads(status.stdout) == counts
    assert_consistent(index)
    assert_seeds_answer(index, embedder)


def test_a_full_disk_while_saving_vectors_keeps_the_committed_write(
    index: Path, tmp_path: Path, embedder: Embedder
) -> None:
    """A small document fits in the WAL; the FAISS file, a little larger, no longer fits."""
    # More documents first, so the FAISS file outgrows one document's WAL (its sentences,
    # vectors and analyses) by a wide margin.
    earlier = tmp_path / "earlier.jsonl"
    write_records(earlier, 60, start=1)
    assert checker_cli("ingest", str(earlier), "--index", str(index)).returncode == 0
    limit = (index / VECTORS_NAME).stat().st_size - 1024
    records = tmp_path / "one.jsonl"
    write_records(records, 1)
    result = checker_cli(
        "ingest", str(records), "--index", str(index), preexec_fn=limit_file_size(limit)
    )
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr
    assert f"error: cannot save the vectors in {index}" in result.stderr
    assert "rebuilt from it on the next open" in result.stderr
    assert "report-0000" in stored_ids(index)  # committed before the save failed
    status = checker_cli("status", "--index", str(index))  # repairs the vectors
    assert status.returncode == 0 and json.loads(status.stdout)["documents"] == 63
    assert assert_consistent(index)["documents"] == 63
    assert_seeds_answer(index, embedder)


def test_a_full_disk_over_http_is_a_problem_and_changes_nothing(
    index: Path, embedder: Embedder
) -> None:
    checker = Checker.from_settings(Settings(index=index), embedder=embedder)
    client = create_app(checker=checker).test_client()
    before = snapshot(index)
    text = " ".join(f"Sentence {n} says the bridge at mile {n} reopened." for n in range(300))
    with file_size_limit(64 * 1024):
        response = client.post("/v1/documents", json=[{"id": "big", "text": text}])
    assert_problem(response, 503, "cannot write to the index at")
    assert "nothing of this write was stored" in response.get_json()["detail"]
    assert snapshot(index) == before
    assert client.get("/readyz").get_json()["documents"] == 2
    body = client.post("/v1/check", json={"claim": CLAIM}).get_json()
    assert any(NO_FORCES in p["text"] for p in body["contradicting"])
    checker.close()


def test_a_completely_full_disk_over_http_is_still_the_503(
    index: Path, embedder: Embedder, caplog: pytest.LogCaptureFixture
) -> None:
    """Not even the audit entry of the refused write fits: the answer still says why, and
    once there is space the write lands and both attempts are in the audit log."""
    checker = Checker.from_settings(Settings(index=index), embedder=embedder)
    client = create_app(checker=checker).test_client()
    before = snapshot(index)
    record = {"id": "wire-1", "text": "The ferry to the island was cancelled on Friday."}
    with file_size_limit(1):
        response = client.post("/v1/documents", json=[record])
    assert_problem(response, 503, "cannot write to the index at")
    assert "audit entry not recorded" in caplog.text
    assert snapshot(index) == before
    response = client.post("/v1/documents", json=[record])  # space again: the write lands
    assert response.status_code == 201 and response.get_json()["added"] == ["wire-1"]
    [entry] = audit.entries(checker.store.conn)
    assert (entry.outcome, entry.document_ids) == ("ok", ("wire-1",))
    checker.close()


def test_a_write_refused_for_a_full_disk_is_audited_as_refused(
    index: Path, embedder: Embedder
) -> None:
    """The write's own audit row is rolled back with it; the refusal is logged after."""
    checker = Checker.from_settings(Settings(index=index), embedder=embedder)
    client = create_app(checker=checker).test_client()
    text = " ".join(f"Sentence {n} says the bridge at mile {n} reopened." for n in range(300))
    with file_size_limit(64 * 1024):
        response = client.post("/v1/documents", json=[{"id": "big", "text": text}])
    assert response.status_code == 503
    [entry] = audit.entries(checker.store.conn)
    assert entry.outcome.startswith("503") and entry.action.startswith("documents")
    checker.close()


def read_only_mount_works(directory: Path) -> bool:
    probe = directory / "probe"
    probe.mkdir()
    script = f"mount --bind {probe} {probe} && mount -o remount,bind,ro {probe} && touch {probe}/x"
    try:
        done = subprocess.run(["unshare", "--mount", "sh", "-c", script], capture_output=True)
    except FileNotFoundError:
        return False
    return b"Read-only file system" in done.stderr


def test_a_read_only_index_refuses_ingest_in_one_line(
    index: Path, tmp_path: Path, embedder: Embedder
) -> None:
    if not read_only_mount_works(tmp_path):
        pytest.skip("needs `unshare --mount` and `mount` (root with CAP_SYS_ADMIN)")
    before = snapshot(index)
    records = tmp_path / "reports.jsonl"
    write_records(records, 3)
    mount = f"mount --bind {index} {index} && mount -o remount,bind,ro {index}"
    ingest = f"{sys.executable} -m checker ingest {records} --index {index}"
    result = subprocess.run(
        ["unshare", "--mount", "sh", "-c", f"{mount} && exec {ingest}"],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=KILL_WAIT_SECONDS,
    )
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: cannot write to the index at {index}: Read-only file system"
    )
    assert snapshot(index) == before
    assert_seeds_answer(index, embedder)


# -- starting on a missing or damaged index --------------------------------------------------


def _garbage_manifest(index: Path) -> None:
    (index / MANIFEST_NAME).write_text("{ this is not json")


def _list_manifest(index: Path) -> None:
    (index / MANIFEST_NAME).write_text("[1, 2, 3]")


def _binary_manifest(index: Path) -> None:
    (index / MANIFEST_NAME).write_bytes(b"\xff\xfe\x00garbage")


def _mistyped_manifest(index: Path) -> None:
    manifest = json.loads((index / MANIFEST_NAME).read_text())
    (index / MANIFEST_NAME).write_text(json.dumps({**manifest, "generation": "seven"}))


def _missing_manifest(index: Path) -> None:
    (index / MANIFEST_NAME).unlink()


def _missing_database(index: Path) -> None:
    for name in (DATABASE_NAME, f"{DATABASE_NAME}-wal", f"{DATABASE_NAME}-shm"):
        (index / name).unlink(missing_ok=True)


def _empty_database(index: Path) -> None:
    _missing_database(index)
    (index / DATABASE_NAME).write_bytes(b"")


def _garbage_database(index: Path) -> None:
    _missing_database(index)
    (index / DATABASE_NAME).write_bytes(os.urandom(8192))


def _truncated_database(index: Path) -> None:
    data = (index / DATABASE_NAME).read_bytes()
    _missing_database(index)
    (index / DATABASE_NAME).write_bytes(data[: len(data) // 3])


DAMAGE = {
    "garbage manifest": (_garbage_manifest, "manifest.json is corrupt"),
    "manifest not an object": (_list_manifest, "manifest.json is corrupt"),
    "manifest not UTF-8": (_binary_manifest, "manifest.json is corrupt"),
    "manifest field of the wrong type": (_mistyped_manifest, "generation is 'seven'"),
    "missing manifest": (_missing_manifest, "manifest.json"),
    "missing database": (_missing_database, "checker.sqlite3 is missing or empty"),
    "empty database": (_empty_database, "checker.sqlite3 is missing or empty"),
    "garbage database": (_garbage_database, "file is not a database"),
    "truncated database": (_truncated_database, "checker.sqlite3"),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=list(DAMAGE))
def test_a_damaged_index_is_one_line_and_a_nonzero_exit(
    index: Path, damage: tuple[Callable[[Path], None], str]
) -> None:
    spoil, message = damage
    spoil(index)
    for command in (["status"], ["check", CLAIM], ["ingest", str(SEEDS)], ["delete", SEED_000]):
        result = CliRunner().invoke(main, [*command, "--index", str(index)])
        assert result.exit_code == 4, (command, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        [line] = result.stderr.splitlines()
        assert line.startswith("error: ") and message in line, (command, line)


@pytest.mark.parametrize(
    "damage",
    [DAMAGE["garbage manifest"], DAMAGE["missing database"], DAMAGE["garbage database"]],
    ids=["garbage manifest", "missing database", "garbage database"],
)
def test_serve_refuses_a_damaged_index_before_starting_gunicorn(
    index: Path, damage: tuple[Callable[[Path], None], str]
) -> None:
    spoil, message = damage
    spoil(index)
    result = checker_cli("serve", "--index", str(index), "--port", "1")
    assert result.returncode == 4 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and message in result.stderr


def test_the_app_on_a_damaged_index_is_not_ready_and_says_why(
    index: Path, seeds_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checker.web, "RETRY_OPEN_SECONDS", 0.0)  # try again on each request
    _garbage_manifest(index)
    client: FlaskClient = create_app(Settings(index=index)).test_client()
    assert client.get("/healthz").status_code == 200
    assert_problem(client.get("/readyz"), 503, "manifest.json is corrupt")
    assert_problem(client.post("/v1/check", json={"claim": CLAIM}), 503, "is corrupt")
    assert_problem(client.get("/v1/discrepancies"), 503, "is corrupt")
    assert_problem(client.get("/"), 503, "is corrupt")

    # Restored from a backup: ready at the next try, without a restart.
    shutil.copy(seeds_index / MANIFEST_NAME, index / MANIFEST_NAME)
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["documents"] == 2
    body = client.post("/v1/check", json={"claim": CLAIM}).get_json()
    assert any(NO_FORCES in p["text"] for p in body["contradicting"])


@pytest.mark.parametrize("cut", [0, 100, 0.5, -4])
def test_a_truncated_vectors_file_is_rebuilt_from_sqlite(
    index: Path, cut: float, embedder: Embedder
) -> None:
    path = index / VECTORS_NAME
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * cut) if isinstance(cut, float) else cut])
    status = checker_cli("status", "--index", str(index))
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["documents"] == 2
    assert "vectors.faiss" in status.stderr and "rebuilding it" in status.stderr
    assert path.read_bytes() == data  # rebuilt and saved, the same vectors in the same order
    assert_consistent(index)
    assert_seeds_answer(index, embedder)


def test_a_reader_rebuilds_a_truncated_vectors_file_it_is_told_to_load(
    index: Path, embedder: Embedder
) -> None:
    """A worker whose next refresh meets an unreadable FAISS file keeps answering."""
    checker = Checker.from_settings(Settings(index=index), embedder=embedder, create=False)
    client = create_app(checker=checker).test_client()
    path = index / VECTORS_NAME
    path.write_bytes(path.read_bytes()[:100])
    manifest = json.loads((index / MANIFEST_NAME).read_text())
    (index / MANIFEST_NAME).write_text(json.dumps({**manifest, "generation": 999}))
    body = client.post("/v1/check", json={"claim": CLAIM}).get_json()
    assert any(NO_FORCES in p["text"] for p in body["contradicting"])
    vectors = np.asarray(embedder.encode([NO_FORCES]))
    assert checker.store.search(vectors, 1)[0][0].document.id == SEED_001
    checker.close()
