"""Analysis in other processes, for bulk ingest.

spaCy holds the interpreter's lock while it parses: two threads parse ABC news no faster than
one (264 against 247 sentences/s on a 2-core Xeon). A second *process* does parse beside the
first, so bulk ingest hands a share of each large batch to `AnalysisProcesses` and parses the
rest in its own analysis thread while the embedder runs; they give the same analyses, which is
tested.

Each process is `python -m checker.analyse.processes`, started on first use (spaCy loads in
about two seconds) and fed pickled batches through its standard input and output. Not
`multiprocessing`: its spawned children run the parent's main script again, and a script that
uses the checker without an `if __name__ == "__main__":` guard would then ingest twice. If a
process dies (killed, out of memory), its share is analysed in the parent instead and no
process is used again: nothing is lost, ingest only slows down.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, Any

from checker.analyse.pipeline import Analyser, load_analyser
from checker.types import Analysis

# Below this many sentences a batch is analysed in the parent alone: handing a few sentences
# to another process costs more than it saves (a document posted to the API, a test's seeds).
MIN_SHARED_BATCH = 64

log = logging.getLogger(__name__)


class _Worker:
    """One analysis process and the thread that waits on it."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "checker.analyse.processes"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._waiting = ThreadPoolExecutor(1, thread_name_prefix="checker-analysis-process")

    def alive(self) -> bool:
        return self.process.poll() is None

    def submit(
        self, texts: Sequence[str], published: Sequence[str | None]
    ) -> Future[list[Analysis]]:
        return self._waiting.submit(self._ask, list(texts), list(published))

    def _ask(self, texts: list[str], published: list[str | None]) -> list[Analysis]:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        pickle.dump((texts, published), stdin, protocol=pickle.HIGHEST_PROTOCOL)
        stdin.flush()
        analyses: list[Analysis] = pickle.load(stdout)
        return analyses

    def close(self) -> None:
        self._waiting.shutdown(wait=True)
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()  # end of input: the process exits
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


class AnalysisProcesses:
    """`processes` analysis processes that take shares of large batches (0: none)."""

    def __init__(self, processes: int) -> None:
        if processes < 0:
            raise ValueError(f"analysis processes must be 0 or more, not {processes}")
        self.processes = processes
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()

    @property
    def started(self) -> list[int]:
        """The process ids of the analysis processes now running."""
        with self._lock:
            return [worker.process.pid for worker in self._workers]

    def analyse_beside(
        self,
        analyser: Analyser,
        local: Callable[[Sequence[str], Sequence[str | None]], Future[list[Analysis]]],
        texts: Sequence[str],
        published: Sequence[str | None],
    ) -> Callable[[], list[Analysis]]:
        """Start analysing `texts`: equal shares to each process and to `local` (the caller's
        analysis thread), which all run while the caller embeds. The returned call waits and
        gives the analyses in order; a share whose process failed is analysed by `analyser`."""
        workers = self._start() if len(texts) >= MIN_SHARED_BATCH else []
        if workers and not all(worker.alive() for worker in workers):
            self._give_up("an analysis process has exited")
            workers = []
        # Equal shares, rounded up; the last (perhaps shorter) one is analysed locally.
        size = max(1, -(-len(texts) // (len(workers) + 1)))
        remote = [
            (
                start,
                start + size,
                worker.submit(texts[start : start + size], published[start : start + size]),
            )
            for start, worker in zip(range(0, len(texts), size), workers, strict=False)
        ]
        first_local = remote[-1][1] if remote else 0
        mine = local(texts[first_local:], published[first_local:])

        def wait() -> list[Analysis]:
            analyses: list[Analysis] = []
            for start, stop, future in remote:
                try:
                    analyses += future.result()
                except (OSError, EOFError, pickle.UnpicklingError, RuntimeError) as exc:
                    self._give_up(f"an analysis process failed ({exc!r})")
                    analyses += analyser.analyse(texts[start:stop], published[start:stop])
            return analyses + mine.result()

        return wait

    def _start(self) -> list[_Worker]:
        with self._lock:
            try:
                while len(self._workers) < self.processes:
                    self._workers.append(_Worker())
            except OSError as exc:
                log.warning("cannot start an analysis process (%s): analysing here", exc)
                self.processes = 0
            return list(self._workers)

    def _give_up(self, why: str) -> None:
        """A process failed: stop using processes (the rest is analysed in the parent)."""
        log.warning("%s: its share and later batches are analysed in this process", why)
        with self._lock:
            self.processes = 0
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.process.kill()
            worker.close()

    def close(self) -> None:
        with self._lock:
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.close()


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The analysis process: answer each pickled (texts, published) with their analyses,
    until the input ends."""
    analyser = load_analyser()
    while True:
        try:
            texts, published = pickle.load(requests)
        except EOFError:
            return
        answer: Any = analyser.analyse(texts, published)
        pickle.dump(answer, answers, protocol=pickle.HIGHEST_PROTOCOL)
        answers.flush()


if __name__ == "__main__":
    # Answers go to the original standard output alone; anything else printed there (by a
    # library, even from C) goes to standard error instead of into the pickled stream.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin.buffer, answers)
