"""Sustained load on a real gunicorn: `python -m bench.load [--quick] [--soak SECONDS]`.

For each index (the seeds, and ABC news stories from ../shared/corpora/abc) it builds the index
with `checker ingest`, starts `checker serve --workers W --threads T` on loopback (rate limit
off), waits until every worker answers, and drives POST /v1/check with locust, headless, in a
process of its own (bench/load_user.py), at rising numbers of closed-loop users for a fixed
time each. Per step: requests/s sustained, failures, p50/p95/p99 latency at the client. The
headline per index is the highest requests/s of a step with no failure, and its p95.

`--soak SECONDS` then keeps the last index's server under load that long and reports each
worker's resident memory at the start and the end (and every `--sample-every` seconds), so a
leak shows as a steady climb; `--no-steps` runs the soak alone. Results are merged into
bench/results/load.json (or `--out`), keyed by what ran, with provenance and load averages.

The load generator shares the machine with the server: on 2 cores it takes part of one, so
the figures are what this machine sustains with both, not what the server could alone.
Every phase is bounded in time: start-up by STARTUP_SECONDS, each step by its run time.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import data
from bench.common import REPO, RESULTS, MissingData, provenance

STARTUP_SECONDS = 600  # model loading in every worker on a busy 2-core machine; a bound only
LOCUSTFILE = Path(__file__).with_name("load_user.py")
SEEDS_CLAIMS = [
    "Armenian forces are present in Karabakh",
    "The accord called for the withdrawal of remaining Armenian forces",
    "Azerbaijan launched a military operation in Nagorno-Karabakh",
    "The separatists accepted the ceasefire terms",
    "Talks were held in Yevlakh",
    "Russian peacekeepers mediated the ceasefire",
    "The ceasefire took effect at 1 pm local time",
    "There are no Armenian armed forces in Karabakh",
]
# gunicorn writes one access-log line per request: worker pid, method, path, query, status.
ACCESS_LOG_FORMAT = "access %(p)s %(m)s %(U)s ?%(q)s %(s)s"
_ACCESS = re.compile(r"^access <?(\d+)>? (\S+) (\S+) \?(\S*) (\d{3})$")  # gunicorn: <pid>


@dataclass(frozen=True)
class Plan:
    users: tuple[int, ...]
    seconds: int
    abc_stories: int


FULL = Plan(users=(1, 2, 4, 8), seconds=30, abc_stories=1_000)
QUICK = Plan(users=(1, 4), seconds=10, abc_stories=200)


# -- the server ----------------------------------------------------------------------------


@dataclass
class Server:
    base: str
    master_pid: int
    log_path: Path
    workers: int

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.master_pid}/task/{self.master_pid}/children")
        return sorted(int(pid) for pid in path.read_text().split())

    def access_log(self) -> list[tuple[int, str, str, str, int]]:
        """(worker pid, method, path, query, status) of every request answered so far."""
        lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        return [
            (int(m[1]), m[2], m[3], m[4], int(m[5]))
            for m in (_ACCESS.match(line) for line in lines)
            if m
        ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(
    index: Path,
    log_path: Path,
    workers: int = 2,
    threads: int = 2,
    env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """`checker serve` on loopback with no rate limit; yields once every worker answers."""
    port = free_port()
    command = [sys.executable, "-m", "checker", "serve", "--index", str(index)]
    command += ["--port", str(port), "--workers", str(workers), "--threads", str(threads)]
    environment = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "CHECKER_RATE_LIMIT_PER_MINUTE": "0",  # the limit is per client address: all of ours
        "GUNICORN_CMD_ARGS": f"--access-logformat {shlex.quote(ACCESS_LOG_FORMAT)}",
        **(env or {}),
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=environment, cwd=REPO
        )
        server = Server(f"http://127.0.0.1:{port}", process.pid, log_path, workers)
        try:
            _wait_for_workers(server, process)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_workers(server: Server, process: subprocess.Popen[bytes]) -> None:
    """Until /readyz has answered 200 from as many worker pids as there are workers."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {server.log_path}")
        burst = [
            threading.Thread(target=_quietly_get, args=(server.base + "/readyz",))
            for _ in range(2 * server.workers)
        ]
        for thread in burst:
            thread.start()
        for thread in burst:
            thread.join()
        answered = server.access_log()
        ready = {pid for pid, _, path, _, status in answered if path == "/readyz" and status == 200}
        if len(ready) >= server.workers:
            return
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn workers not ready after {STARTUP_SECONDS} s")


def _quietly_get(url: str) -> None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        pass


def post_json(url: str, body: Any, timeout: float = 120) -> tuple[int, Any]:
    payload = json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=payload, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


# -- the indexes ---------------------------------------------------------------------------


def build_index(name: str, records: Path | None, directory: Path) -> dict[str, Any]:
    """Index the seeds (records None) or a JSONL file of records with `checker ingest`."""
    index = directory / name
    source = str(records) if records else str(REPO / "seeds")
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "checker", "ingest", source, "--index", str(index), "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"},
        cwd=REPO,
        check=False,
    )
    if done.returncode not in (0, 2):  # 2: some records had problems, the rest are stored
        raise RuntimeError(f"checker ingest failed: {done.stderr.strip()}")
    summary = json.loads(done.stdout)
    return {
        "path": index,
        "documents": len(summary["added"]),
        "sentences": summary["sentences"],
        "ingest_seconds": round(time.perf_counter() - started, 1),
    }


def abc_records(stories: int, path: Path) -> list[str]:
    """Write `stories` ABC stories (rural, then science) as JSONL; claims made from them."""
    records = data.abc_stories("rural") + data.abc_stories("science")
    records = records[:stories] if stories else records
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    lines = [line for r in records for line in r["text"].splitlines() if len(line) > 40]
    step = max(1, len(lines) // 200)
    return [_edited(line) for line in lines[::step][:200]]


def _edited(sentence: str) -> str:
    """A claim near a stored sentence but not equal to it: a number changed or a 'not'."""
    number = re.search(r"\d+", sentence)
    if number:
        changed = str(int(number.group()) + 1)
        return sentence[: number.start()] + changed + sentence[number.end() :]
    return re.sub(r"\b(is|was|will|are|were)\b", r"\1 not", sentence, count=1)


# -- load ----------------------------------------------------------------------------------


def load_step(base: str, claims: Path, users: int, seconds: int, workdir: Path) -> dict[str, Any]:
    """`users` closed-loop users for `seconds`; the aggregate of what locust measured."""
    prefix = workdir / f"locust-{users}u-{time.monotonic_ns()}"
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"]
    command += ["--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s"]
    command += ["--host", base, "--csv", str(prefix), "--only-summary", "--loglevel", "ERROR"]
    command += ["--stop-timeout", "30", "--exit-code-on-error", "0"]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, "BENCH_LOAD_CLAIMS": str(claims)},
        cwd=REPO,
        timeout=seconds + 180,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"locust exited with {done.returncode}: {done.stderr[-2000:]}")
    with Path(f"{prefix}_stats.csv").open(encoding="utf-8") as handle:
        total = next(row for row in csv.DictReader(handle) if row["Name"] == "Aggregated")
    with Path(f"{prefix}_failures.csv").open(encoding="utf-8") as handle:
        failures = [f"{row['Occurrences']}x {row['Error']}"[:300] for row in csv.DictReader(handle)]
    return {
        "users": users,
        "seconds": seconds,
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "requests_per_s": round(float(total["Requests/s"]), 2),
        "p50_ms": _ms(total["50%"]),
        "p95_ms": _ms(total["95%"]),
        "p99_ms": _ms(total["99%"]),
        "mean_ms": round(float(total["Average Response Time"]), 1),
        "failure_messages": failures[:5],
    }


def _ms(value: str) -> float | None:
    return None if value in ("", "N/A") else float(value)


def warm_up(base: str, claims: Sequence[str], count: int = 10) -> dict[str, float]:
    """The first requests of a worker pay for lazy imports and caches: not measured. What
    they return shows the answers are real: passages a claim, server-side time."""
    passages, took = [], []
    for claim in list(claims)[:count]:
        status, body = post_json(base + "/v1/check", {"claim": claim})
        if status != 200:
            raise RuntimeError(f"/v1/check answered {status}: {body}")
        passages.append(sum(len(body[k]) for k in ("supporting", "contradicting", "related")))
        took.append(float(body["took_ms"]))
    return {
        "warm_up_passages_per_claim": round(sum(passages) / len(passages), 1),
        "warm_up_server_ms_median": sorted(took)[len(took) // 2],
    }


def steps(server: Server, claims: Path, plan: Plan, workdir: Path) -> dict[str, Any]:
    measured = [step(server, claims, users, plan.seconds, workdir) for users in plan.users]
    clean = [s for s in measured if s["failures"] == 0 and s["requests"] > 0]
    best = max(clean, key=lambda s: s["requests_per_s"]) if clean else None
    return {
        "steps": measured,
        "sustained_requests_per_s": best["requests_per_s"] if best else 0.0,
        "p95_ms_at_sustained": best["p95_ms"] if best else None,
        "users_at_sustained": best["users"] if best else None,
        "errors": sum(s["failures"] for s in measured),
        "worker_rss_mib": {str(pid): rss_mib(pid) for pid in server.worker_pids()},
    }


def step(server: Server, claims: Path, users: int, seconds: int, workdir: Path) -> dict[str, Any]:
    """One load step, with how many of its requests each worker answered: locust's users hold
    keep-alive connections, and when every one lands on the same worker the other idles and
    the step measures one worker (2026-11-26: 95 req/s on one worker, 161 on two, same code)."""
    before = len(server.access_log())
    measured = load_step(server.base, claims, users, seconds, workdir)
    answered = Counter(pid for pid, *_ in server.access_log()[before:])
    measured["requests_by_worker"] = {str(pid): answered[pid] for pid in server.worker_pids()}
    return measured


def soak(
    server: Server, claims: Path, users: int, seconds: int, sample_every: float, workdir: Path
) -> dict[str, Any]:
    """Load for `seconds`, sampling each worker's resident memory along the way."""
    pids = server.worker_pids()
    start = {str(pid): rss_mib(pid) for pid in pids}
    samples: list[dict[str, Any]] = []
    result: dict[str, Any] = {}
    runner = threading.Thread(
        target=lambda: result.update(load_step(server.base, claims, users, seconds, workdir))
    )
    began = time.monotonic()
    runner.start()
    while runner.is_alive():
        runner.join(timeout=sample_every)
        alive = [pid for pid in pids if Path(f"/proc/{pid}").exists()]
        elapsed = round(time.monotonic() - began, 1)
        samples.append({"t_s": elapsed, **{str(pid): rss_mib(pid) for pid in alive}})
    if not result:
        raise RuntimeError("the soak's load generator failed; see the log above")
    end = {str(pid): rss_mib(pid) for pid in pids if Path(f"/proc/{pid}").exists()}
    return {
        **result,
        "workers": [
            {
                "pid": int(pid),
                "start_rss_mib": start[pid],
                "end_rss_mib": end.get(pid),
                "peak_rss_mib": rss_mib(int(pid), "VmHWM") if pid in end else None,
            }
            for pid in start
        ],
        "workers_replaced": sorted(set(server.worker_pids()) ^ set(pids)),
        "rss_samples": samples,
    }


# -- the whole run -------------------------------------------------------------------------


def training_running() -> bool:
    """Whether the NLI training (`checker train-nli`) shares the machine right now."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if b"train-nli" in cmdline.read_bytes():
                return True
        except OSError:
            continue
    return False


def _checker_settings() -> dict[str, str]:
    """The server's settings that decide what a check costs (the judge above all)."""
    from checker.settings import Settings  # light: no model, no index

    settings = Settings.from_env()
    names = ("nli_model", "embedding_runtime", "k", "check_min_similarity")
    return {name: str(getattr(settings, name, "")) for name in names}


def run(args: argparse.Namespace) -> dict[str, Any]:
    plan = QUICK if args.quick else FULL
    if args.users:
        plan = Plan(tuple(int(u) for u in args.users.split(",")), plan.seconds, plan.abc_stories)
    if args.duration:
        plan = Plan(plan.users, args.duration, plan.abc_stories)
    if args.abc_stories is not None:
        plan = Plan(plan.users, plan.seconds, args.abc_stories)
    settings = {
        "workers": args.workers,
        "threads": args.threads,
        "users": list(plan.users),
        "seconds_per_step": plan.seconds,
        "abc_stories": plan.abc_stories,
        "soak_seconds": args.soak,
        "soak_users": args.soak_users,
        "load_generator": "locust (FastHttpUser, closed loop, no wait), same machine",
        "checker": _checker_settings(),
    }
    results: dict[str, Any] = {
        "provenance": provenance(),
        "settings": settings,
        "load_average_start": os.getloadavg(),
        "training_running_at_start": training_running(),
    }
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        work = Path(tmp)
        indexes: list[tuple[str, dict[str, Any], list[str]]] = []
        if not args.no_steps:
            indexes.append(("seeds", build_index("seeds", None, work), SEEDS_CLAIMS))
        try:
            claims = abc_records(plan.abc_stories, work / "abc.jsonl")
            indexes.append(("abc", build_index("abc", work / "abc.jsonl", work), claims))
        except MissingData as exc:
            results["abc_skipped"] = str(exc)
        if not indexes:  # a soak alone, and no ABC corpus: soak on the seeds
            indexes.append(("seeds", build_index("seeds", None, work), SEEDS_CLAIMS))
        for position, (name, index, claim_list) in enumerate(indexes):
            claims_path = work / f"{name}-claims.json"
            claims_path.write_text(json.dumps(claim_list), encoding="utf-8")
            log_path = work / f"{name}-gunicorn.log"
            with serve(index["path"], log_path, args.workers, args.threads) as server:
                answers = warm_up(server.base, claim_list)
                section: dict[str, Any] = {
                    **answers,
                    "documents": index["documents"],
                    "sentences": index["sentences"],
                    "ingest_seconds": index["ingest_seconds"],
                    "claims": len(claim_list),
                }
                if not args.no_steps:
                    section.update(steps(server, claims_path, plan, work))
                    results[name] = section
                if args.soak and position == len(indexes) - 1:
                    results["soak"] = {
                        "index": name,
                        **{k: section[k] for k in ("documents", "sentences")},
                        **soak(
                            server, claims_path, args.soak_users, args.soak, args.sample_every, work
                        ),
                    }
    results["load_average_end"] = os.getloadavg()
    results["training_running_at_end"] = training_running()
    return results


def summary_table(results: dict[str, Any]) -> str:
    lines = [
        "| index | sentences | users | req/s | failures | p50 ms | p95 ms | p99 ms | by worker |"
    ]
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for name in ("seeds", "abc"):
        for step in results.get(name, {}).get("steps", []):
            lines.append(
                f"| {name} | {results[name]['sentences']:,} | {step['users']} | "
                f"{step['requests_per_s']} | {step['failures']} | {step['p50_ms']} | "
                f"{step['p95_ms']} | {step['p99_ms']} | "
                f"{' / '.join(str(n) for n in step.get('requests_by_worker', {}).values())} |"
            )
    if "soak" in results:
        soaked = results["soak"]
        lines.append("")
        lines.append(
            f"soak on {soaked['index']}: {soaked['seconds']} s at {soaked['users']} users, "
            f"{soaked['requests_per_s']} req/s, {soaked['failures']} failures, p95 "
            f"{soaked['p95_ms']} ms"
        )
        for worker in soaked["workers"]:
            lines.append(
                f"  worker {worker['pid']}: RSS {worker['start_rss_mib']} -> "
                f"{worker['end_rss_mib']} MiB (peak {worker['peak_rss_mib']})"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="Fewer, shorter steps; 200 stories.")
    parser.add_argument("--users", help="Comma-separated users per step (default 1,2,4,8).")
    parser.add_argument("--duration", type=int, help="Seconds per step (default 30).")
    parser.add_argument("--abc-stories", type=int, help="ABC stories to index (0: all).")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument("--threads", type=int, default=2, help="Threads per worker.")
    parser.add_argument("--soak", type=int, default=0, metavar="SECONDS", help="Then soak.")
    parser.add_argument("--soak-users", type=int, default=4)
    parser.add_argument("--sample-every", type=float, default=30.0, help="RSS sample period.")
    parser.add_argument("--no-steps", action="store_true", help="Only the soak.")
    parser.add_argument("--out", type=Path, default=RESULTS / "load.json")
    args = parser.parse_args(argv)
    results = run(args)
    # Merge: a soak run keeps the steps of an earlier run, and the other way round.
    previous = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    kept = {k: v for k, v in previous.items() if k in ("seeds", "abc", "soak", "runs")}
    runs = kept.pop("runs", [])
    section_names = [k for k in ("seeds", "abc", "soak") if k in results]
    run_info = {k: v for k, v in results.items() if k not in ("seeds", "abc", "soak")}
    merged = {**kept, **{k: results[k] for k in section_names}}
    merged["runs"] = [r for r in runs if set(r["sections"]) - set(section_names)]
    merged["runs"].append({"sections": section_names, **run_info})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(merged, indent=2, default=str) + "\n", encoding="utf-8")
    print(summary_table(merged))
    print(f"written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
