"""Ingest and the scan on a real Ray cluster: a head and a worker node on loopback (issue 15).

The cluster is started once for the module (`checker.cluster.local.LocalCluster`: two
`ray start --block` processes, 127.0.0.2 and 127.0.0.3, one CPU each, dashboard off) and
always stopped at its end. The distributed runs go through the real command line in a child
process, bounded by a timeout; their index is compared with one built in this process by the
single-process path from the same files: the same sentences, analyses and findings, vectors
within float tolerance. One run loses its worker node in the middle of its work.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.errors import ClusterUnavailable
from checker.service import Checker
from checker.settings import Settings
from checker.store import DATABASE_NAME
from checker.store.manifest import read_manifest
from tests.conftest import REPO, SEED_000, SEED_001, SEEDS, SHARED, ingest_paths

# The cluster extra; `make install` installs it, so CI always runs this module. (Found, not
# imported: only the child processes of the tests import Ray.)
if importlib.util.find_spec("ray") is None:  # pragma: no cover
    if os.environ.get("CI"):
        raise ImportError("Ray is missing: make install installs the cluster extra")
    pytest.skip(
        "Ray is not installed: pip install -e '.[cluster]' (make install does)",
        allow_module_level=True,
    )

from checker.cluster.local import LocalCluster

# Every wait of this module is bounded: a command line run, the cluster's start and stop.
RUN_TIMEOUT_S = 300
CLUSTER_TIMEOUT_S = 120
# Both paths without the NLI reading cache: the shipped int8 model scales each batch's
# activations together, so a reading depends on the pairs read with it, and a cache makes
# that depend on what the process read before (here: which worker had which job before).
# Without it each search batch's pairs are read together, the same way, on either path.
SAME_READINGS = {"nli_cache_pairs": 0}

_EVENTS = [
    (
        "flood",
        "Dubbo",
        "Floodwaters in Dubbo forced {n} families from their homes on Monday.",
        "Emergency crews said the river peaked at {m} metres.",
        "The mayor of Dubbo said the levee had{neg} held.",
    ),
    (
        "fire",
        "Mildura",
        "A bushfire near Mildura destroyed {n} houses on Tuesday.",
        "Firefighters said the blaze burned through {m} hectares.",
        "Officials said the fire was{neg} deliberately lit.",
    ),
    (
        "strike",
        "Bendigo",
        "Nurses in Bendigo walked off the job on Wednesday, with {n} staff joining the strike.",
        "The union said pay had risen {m} per cent in five years.",
        "The health minister said the hospital would{neg} close its emergency ward.",
    ),
    (
        "crash",
        "Tamworth",
        "A bus crash outside Tamworth injured {n} passengers on Thursday.",
        "Police said the bus was travelling at {m} kilometres an hour.",
        "The driver was{neg} charged after the crash.",
    ),
    (
        "vote",
        "Ballarat",
        "Councillors in Ballarat voted {n} to three on Monday to approve the new stadium.",
        "The stadium will cost {m} million dollars.",
        "The council said ratepayers would{neg} fund the project.",
    ),
    (
        "drought",
        "Wagga Wagga",
        "Farmers near Wagga Wagga sold {n} head of cattle on Tuesday as the drought worsened.",
        "Rainfall this year is {m} millimetres below average.",
        "The government said drought aid would{neg} be extended.",
    ),
]
_OUTLETS = ["Wire", "Herald", "Courier", "Gazette", "Post", "Times"]
_FILLER = [
    "Residents of {town} gathered at the {place} to hear the latest updates on {day}.",
    "Local businesses in {town} said trade had slowed by {n} per cent in recent weeks.",
    "A spokesperson for the {body} promised further information about the {thing}.",
    "The state opposition called for an independent review of the {thing}.",
    "Volunteers handed out {n} meals at the {place} throughout the afternoon.",
    "The {body} said {n} extra staff would be sent to {town} within days.",
    "Schools in {town} stayed open, although {n} students were absent on {day}.",
    "Roads around the {place} were closed for {n} hours while crews inspected them.",
    "The {body} will hold a public meeting about the {thing} at the {place}.",
    "Insurance assessors expect about {n} claims from the {town} area.",
]
_WORDS = {
    "place": ["community hall", "showground", "library", "town square", "sports centre"],
    "body": ["regional council", "state government", "emergency service", "local hospital"],
    "thing": ["response", "budget", "recovery plan", "inquiry", "timeline"],
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
}
# Sentences each document adds to its event's three facts: ~1,200 in all with the seeds, so
# that the scan has two search batches (checker.service.SCAN_SEARCH_SENTENCES) to spread over
# the cluster's two nodes.
FILLER_SENTENCES = 27


def _filler(rng: random.Random, town: str) -> str:
    words = {name: rng.choice(choices) for name, choices in _WORDS.items()}
    return rng.choice(_FILLER).format(town=town, n=rng.randint(2, 900), **words)


def build_corpus(folder: Path) -> int:
    """Six events as six outlets report them (36 documents): counts, measures and denials
    that differ between outlets, among sentences of their own. Deterministic."""
    rng = random.Random(15)
    folder.mkdir(parents=True, exist_ok=True)
    for e, (topic, town, first, second, third) in enumerate(_EVENTS):
        n, m = 40 + 37 * e, 4 + 9 * e
        for o, outlet in enumerate(_OUTLETS):
            sentences = [
                first.format(n=n if o % 2 == 0 else n + 5 * (o + 1)),
                second.format(m=m if o < 3 else m + o),
                third.format(neg=" not" if o % 3 == 0 else ""),
                *(_filler(rng, town) for _ in range(FILLER_SENTENCES)),
            ]
            name = f"{topic}-{outlet.lower()}"
            (folder / f"{name}.txt").write_text(" ".join(sentences) + "\n")
            meta = {"title": f"{topic.title()} in {town}", "source": outlet}
            meta["published"] = f"2026-03-{10 + e:02d}"
            (folder / f"{name}.meta.json").write_text(json.dumps(meta))
    return len(_EVENTS) * len(_OUTLETS)


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    assert build_corpus(folder) == 36
    return folder


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> dict[str, Path]:
    """The single-process path on the same files: an index before its scan, and after."""
    root = tmp_path_factory.mktemp("single")
    checker = Checker.from_settings(Settings(index=root / "scanned", **SAME_READINGS))
    try:
        summary = ingest_paths(checker, SEEDS, corpus)
        assert summary.problems == [] and len(summary.added) == 38
    finally:
        checker.close()
    shutil.copytree(root / "scanned", root / "unscanned")
    checker = Checker.from_settings(Settings(index=root / "scanned", **SAME_READINGS), create=False)
    try:
        assert checker.scan().new_findings > 0
    finally:
        checker.close()
    return {"unscanned": root / "unscanned", "scanned": root / "scanned"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(workers=1, cpus=1, timeout=CLUSTER_TIMEOUT_S) as running:
        yield running


def same_readings(cluster: LocalCluster) -> dict[str, str]:
    return {**cluster.env, **{f"CHECKER_{k.upper()}": str(v) for k, v in SAME_READINGS.items()}}


def run_cli(*args: str, cluster: LocalCluster) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "checker", *args],
        cwd=REPO,
        env=same_readings(cluster),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )


# -- what an index holds -------------------------------------------------------------------------


def contents(index: Path) -> dict[str, Any]:
    """Documents, sentences with their analyses and vectors, findings (ids, verdicts,
    confidences, similarities), pending documents and the generation, from the index."""
    manifest = read_manifest(index)
    assert manifest is not None
    checker = Checker.from_settings(Settings(index=index), create=False)
    try:
        store = checker.store
        documents = [row[0] for row in store.conn.execute("SELECT id FROM documents ORDER BY id")]
        sentences, vectors = {}, {}
        for document in documents:
            hits, matrix = store.document_vectors(document)
            for hit, vector in zip(hits, matrix, strict=True):
                sentences[hit.sentence.id] = (hit.sentence.text, hit.analysis)
                vectors[hit.sentence.id] = vector
        found, _ = store.findings(limit=100_000)
        findings = sorted(
            (
                f.a.sentence.id,
                f.b.sentence.id,
                f.judgement.verdict.value,
                f.judgement.confidence,
                f.similarity,
                tuple(r.kind for r in f.judgement.reasons),
            )
            for f in found
        )
        return {
            "documents": documents,
            "sentences": sentences,
            "vectors": vectors,
            "findings": findings,
            "pending": store.pending_documents(),
            "generation": manifest.generation,
            "counts": store.counts(),
        }
    finally:
        checker.close()


def assert_same_index(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    assert ours["documents"] == theirs["documents"]
    assert ours["sentences"] == theirs["sentences"]  # texts and analyses, exactly
    for sentence_id, vector in theirs["vectors"].items():
        np.testing.assert_allclose(ours["vectors"][sentence_id], vector, atol=1e-5)
    assert len(ours["findings"]) == len(theirs["findings"])
    for mine, other in zip(ours["findings"], theirs["findings"], strict=True):
        assert mine[:3] == other[:3] and mine[5] == other[5]  # the pair, verdict, reasons
        assert mine[3] == pytest.approx(other[3], abs=1e-4)  # confidence
        assert mine[4] == pytest.approx(other[4], abs=1e-4)  # similarity


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then let go)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- without a cluster -------------------------------------------------------------------------


def test_an_unreachable_cluster_is_one_line_and_the_index_is_untouched(
    tmp_path: Path, single: dict[str, Path]
) -> None:
    index = tmp_path / "index"
    shutil.copytree(single["unscanned"], index)
    before = (index / DATABASE_NAME).read_bytes(), read_manifest(index)
    address = f"127.0.0.1:{closed_port()}"
    runner = CliRunner()
    for args in (
        ["ingest", str(SEEDS), "--index", str(index), "--ray", address],
        ["report", "--index", str(index), "--ray", address],
        ["--set", f"ray_address={address}", "report", "--index", str(index)],
    ):
        started = time.monotonic()
        result = runner.invoke(main, args)
        assert result.exit_code == ClusterUnavailable.exit_code == 6, result.output
        assert result.output.count("\n") == 1, result.output
        assert result.output.startswith(f"error: cannot reach the Ray cluster at {address}")
        assert time.monotonic() - started < 30
    assert ((index / DATABASE_NAME).read_bytes(), read_manifest(index)) == before
    # A new index is not even created.
    fresh = tmp_path / "fresh"
    result = runner.invoke(main, ["ingest", str(SEEDS), "--index", str(fresh), "--ray", address])
    assert result.exit_code == 6 and not fresh.exists()


def test_a_malformed_address_is_bad_input() -> None:
    result = CliRunner().invoke(main, ["report", "--ray", "head-without-port"])
    assert result.exit_code == 2
    assert result.output == (
        "error: a Ray address is HOST:PORT of the cluster's head (e.g. 10.0.0.5:6379), "
        "got 'head-without-port'\n"
    )


def test_the_bench_names_each_difference_between_the_two_paths() -> None:
    """`bench.ray_speed` (the whole ABC corpus both ways) counts equal only what is: sentence
    ids in order, texts, analyses, vectors within its tolerance, and findings pair by pair."""
    from bench.ray_speed import (
        VECTOR_TOLERANCE,
        compare_findings,
        compare_judgements,
        compare_sentences,
    )

    unit = np.eye(3, dtype=np.float32)
    single = {
        "sentences": {"d#0": ("A.", None, unit[0]), "d#1": ("B.", None, unit[1])},
        "findings": {("d#0", "e#0"): ("contradicts", 0.9, 0.7, ("nli",))},
        "faiss_sha256": "x",
    }
    same = compare_sentences(single, single)
    assert same["equal"] and same["vectors_bit_identical"] == 2 and same["same_faiss_file"]
    assert compare_findings(single, single)["equal"]
    near = unit[1] + np.float32(VECTOR_TOLERANCE / 2)
    moved = {
        "sentences": {"d#1": ("B.", None, near), "d#0": ("A.", None, unit[0])},
        "findings": {
            ("d#0", "e#0"): ("contradicts", 0.9004, 0.7, ("nli",)),
            ("d#1", "e#0"): ("changed", 0.8, 0.6, ("date",)),
        },
        "faiss_sha256": "y",
    }
    sentences = compare_sentences(single, moved)
    assert not sentences["equal"] and not sentences["same_ids_in_order"]  # the order counts
    assert sentences["vectors_beyond_tolerance"] == 0 and sentences["vectors_bit_identical"] == 1
    assert not sentences["same_faiss_file"]
    findings = compare_findings(single, moved)
    assert not findings["equal"] and not findings["same_pairs"]
    assert findings["max_confidence_difference"] == pytest.approx(0.0004)
    assert [d["pair"] for d in findings["differing"]] == [["d#1", "e#0"], ["d#0", "e#0"]]
    judged = {("d#0", "e#0"): ("contradicts", 0.9), ("d#1", "e#1"): ("related", 0.6)}
    assert compare_judgements({"judgements": judged}, {"judgements": dict(judged)})["equal"]
    flipped = {**judged, ("d#1", "e#1"): ("supports", 0.6)}
    every = compare_judgements({"judgements": judged}, {"judgements": flipped})
    assert (every["verdicts_differing"], every["confidences_differing"]) == (1, 0)
    assert every["differing"] == [
        {"pair": ["d#1", "e#1"], "single": ["related", 0.6], "ray": ["supports", 0.6]}
    ]


# -- on the local two-node cluster -------------------------------------------------------------


@pytest.mark.slow
def test_distributed_ingest_and_scan_equal_the_single_process_run(
    tmp_path: Path, corpus: Path, single: dict[str, Path], cluster: LocalCluster
) -> None:
    index = tmp_path / "index"
    ingest = run_cli(
        "ingest", str(SEEDS), str(corpus), "--index", str(index), "--ray", cluster.address,
        cluster=cluster,
    )  # fmt: skip
    assert ingest.returncode == 0, ingest.stderr
    assert ingest.stdout.startswith("38 added, 0 replaced, 0 unchanged, 0 problems")
    assert ingest.stderr == ""  # nothing of Ray's own chatter on a cron job's stderr
    assert_same_index(contents(index), contents(single["unscanned"]))
    out = tmp_path / "report.json"
    report = run_cli(
        "report", "--index", str(index), "--format", "json", "--out", str(out),
        "--ray", cluster.address, cluster=cluster,
    )  # fmt: skip
    assert report.returncode == 0, report.stderr
    assert report.stderr.startswith("scanned 38 new or changed documents: ")
    distributed = contents(index)
    assert_same_index(distributed, contents(single["scanned"]))
    assert distributed["pending"] == [] and len(distributed["findings"]) > 10
    # The canonical pair of the seeds is among them, found on the cluster.
    pairs = {(a.split("#")[0], b.split("#")[0]) for a, b, *_ in distributed["findings"]}
    assert (SEED_000, SEED_001) in pairs
    assert json.loads(out.read_text())["summary"]


@pytest.mark.slow
@pytest.mark.skipif(
    not (SHARED / "corpora/abc").is_dir(), reason="../shared/corpora/abc is not present"
)
def test_abc_stories_distributed_equal_single_process(
    tmp_path: Path, cluster: LocalCluster
) -> None:
    """Real news where the shared ABC corpus is present: 25 stories of each section, both
    ways (the whole corpus: `python -m bench.ray_speed`)."""
    from bench.data import abc_stories

    stories = tmp_path / "abc.jsonl"
    records = abc_stories("rural", 25) + abc_stories("science", 25)
    stories.write_text("".join(json.dumps(r) + "\n" for r in records))
    checker = Checker.from_settings(Settings(index=tmp_path / "single", **SAME_READINGS))
    try:
        assert len(ingest_paths(checker, stories).added) == len(records)
        checker.scan()
    finally:
        checker.close()
    index = str(tmp_path / "distributed")
    for args in (["ingest", str(stories)], ["report", "--format", "json"]):
        done = run_cli(*args, "--index", index, "--ray", cluster.address, cluster=cluster)
        assert done.returncode == 0, done.stderr
    distributed = contents(tmp_path / "distributed")
    assert_same_index(distributed, contents(tmp_path / "single"))


@pytest.mark.slow
def test_a_worker_that_cannot_load_its_model_fails_the_run_in_one_line(
    tmp_path: Path, single: dict[str, Path], cluster: LocalCluster
) -> None:
    """The driver loads no embedder for an existing index; the workers do, and here they
    cannot. The command says why in one line, with the error's own exit code, and stores
    nothing."""
    index = tmp_path / "index"
    shutil.copytree(single["unscanned"], index)
    before = contents(index)
    (tmp_path / "new.txt").write_text("A new report arrived on Friday with 12 new figures.\n")
    done = run_cli(
        "--set", "embedding_runtime=bogus", "ingest", str(tmp_path / "new.txt"),
        "--index", str(index), "--ray", cluster.address, cluster=cluster,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    prefix = "error: on a Ray worker: CHECKER_EMBEDDING_RUNTIME='bogus' is not one of "
    assert done.stderr.startswith(prefix) and done.stderr.count("\n") == 1, done.stderr
    after = contents(index)
    assert_same_index(after, before)
    assert after["counts"] == before["counts"] and after["generation"] == before["generation"]


@pytest.mark.slow
def test_a_worker_node_lost_mid_scan_completes_or_fails_cleanly(
    tmp_path: Path, single: dict[str, Path], cluster: LocalCluster
) -> None:
    """The worker node is killed (SIGKILL, its model worker too) while its model worker is
    judging a batch of the scan. Ray runs the lost batch again on the head's worker and the
    scan completes with the same findings; or, should Ray give up, the command fails with
    one line and the index is as it was before the run. (Last in the module: the cluster
    has one node left after it.)"""
    index = tmp_path / "index"
    shutil.copytree(single["unscanned"], index)
    before = contents(index)
    out, log = tmp_path / "report.md", tmp_path / "stderr.txt"
    command = [sys.executable, "-m", "checker", "report", "--index", str(index)]
    command += ["--out", str(out), "--ray", cluster.address]
    with (
        log.open("w") as stderr,
        subprocess.Popen(
            command, cwd=REPO, env=same_readings(cluster), stdout=subprocess.DEVNULL, stderr=stderr
        ) as run,
    ):
        try:
            judging = wait_for_work_on(cluster, "worker-0", "PairWork", run)
            cluster.kill_node("worker-0")
            assert run.poll() is None, "the scan ended before the node was lost"
            run.wait(timeout=RUN_TIMEOUT_S)
        finally:
            if run.poll() is None:
                run.kill()
    assert judging.startswith("ray::MapWorker(MapBatches(PairWork)).submit")
    said = log.read_text()
    after = contents(index)
    print(f"the scan after losing the worker node: exit {run.returncode}; {said.strip()}")
    if run.returncode == 0:  # Ray ran the lost job again on the head's worker
        assert said.startswith("scanned 38 new or changed documents: "), said
        assert out.read_text().startswith("# Discrepancy report")
        assert_same_index(after, contents(single["scanned"]))
    else:  # Ray gave up: one line, and nothing of the scan stored
        assert run.returncode == ClusterUnavailable.exit_code, said
        assert said.startswith("error: ") and said.count("\n") == 1, said
        assert_same_index(after, before)
        assert (after["pending"], after["generation"]) == (before["pending"], before["generation"])
        assert after["counts"] == before["counts"] and not out.exists()


def wait_for_work_on(
    cluster: LocalCluster, node: str, stage: str, run: subprocess.Popen[bytes]
) -> str:
    """The title of a process of `node` running a batch of `stage` (Ray titles a worker
    `ray::MapWorker(MapBatches(Stage)).submit` while it works), once there is one."""
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        for _, title in cluster.node_processes(node):
            if f"MapBatches({stage}))" in title and title.split()[0].endswith(".submit"):
                return title
        if run.poll() is not None:
            pytest.fail(f"the scan ended ({run.returncode}) before {node} worked on it")
        time.sleep(0.01)
    pytest.fail(f"{node} took no batch of {stage} within {RUN_TIMEOUT_S} s")
