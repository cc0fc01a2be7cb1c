"""The state every part of the `Checker` reads: settings, store, the judge and the models
(each loaded on first use), where the model work runs; and what the parts share: a hit's
analysis and the judging of analysed pairs."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from checker.analyse import Analyser, load_analyser
from checker.analyse.processes import AnalysisProcesses
from checker.embed import Embedder, VectorCache, load_embedder
from checker.errors import InvalidInput
from checker.judge.base import Judge
from checker.judge.gate import Gate
from checker.service.judging import ModelReads, build_judge, judge_analysed, judge_texts
from checker.settings import Settings
from checker.store import Store
from checker.types import Analysis, Hit, Judgement

if TYPE_CHECKING:
    from checker.cluster import RayCluster

# One pair for `warm_up`: a month name (the date rule asks dateparser), a length in two units
# (alignment asks pint's registry), a denial, and shared ground enough for the rules and the
# NLI model to read it.
WARM_UP_PAIR = (
    "The bridge, 5 km long, did not open on 3 May 2021, officials said.",
    "The bridge, 3 miles long, opened on 4 May 2021, officials said.",
)


class CheckerBase:
    """What every part of the Checker holds and shares (see `checker.service`)."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        judge: Judge | None = None,
        embedder: Embedder | None = None,
        analyser: Analyser | None = None,
        cluster: RayCluster | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self._judge = judge
        self._judge_lock = threading.Lock()
        self.gate = Gate(settings.min_confidence)
        self.model_reads = ModelReads()
        self._embedder = embedder
        self._analyser = analyser
        self._claim_vectors = VectorCache(settings.claim_cache_size)
        # Where ingest and scan send their model work (checker.cluster); None: this process.
        self.cluster = cluster
        # One thread that analyses an ingest batch while the embedder encodes it.
        self._analysis_worker = ThreadPoolExecutor(1, thread_name_prefix="checker-analyse")
        # Processes that parse a share of each large ingest batch beside that thread (spaCy
        # holds the interpreter's lock, so a second thread would not parse beside the first).
        if settings.analysis_processes < 0:
            raise InvalidInput(
                f"CHECKER_ANALYSIS_PROCESSES must be 0 or more, not {settings.analysis_processes}"
            )
        self._analysis_processes = AnalysisProcesses(settings.analysis_processes)
        # A thread that parses a check's claim while the checking thread embeds and searches
        # it, taken only when free (`CheckPart._parse_claim`).
        self._claim_worker = ThreadPoolExecutor(1, thread_name_prefix="checker-claim")
        self._claim_worker_free = threading.Semaphore(1)

    @property
    def judge(self) -> Judge:
        """The rules and the NLI model (`build_judge`), built on first use: ingest, `checker
        status`, `keys` and `audit` never judge, and loading the model was most of their
        start-up (`checker status` 6.2 s before, 0.8 s now; README, The command line)."""
        if self._judge is None:
            with self._judge_lock:  # two threads' first checks build one judge
                if self._judge is None:
                    self._judge = build_judge(self.settings)
        return self._judge

    @judge.setter
    def judge(self, judge: Judge) -> None:
        self._judge = judge

    def load_judge(self) -> Judge:
        """Build the judge now, so that a model that cannot load fails before any work."""
        return self.judge

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.settings)
        return self._embedder

    @property
    def analyser(self) -> Analyser:
        if self._analyser is None:
            self._analyser = load_analyser()
        return self._analyser

    def load_models(self) -> None:
        """Load the embedding model, the analyser and the judge now rather than on first use
        (a check's time never counts a model's loading)."""
        self._embedder = self.embedder
        self._analyser = self.analyser
        self.load_judge()

    def warm_up(self) -> Judgement:
        """Load the models, embed one sentence and judge `WARM_UP_PAIR` through every judge
        and the gate, so that what loads on first use (dateparser's tables, pint's unit
        registry, the first run of each model) is paid at start-up and not by a reporter's
        check: the first check in a server that met a month name took 0.1-0.45 s. Not counted
        in `model_reads`."""
        self.load_models()
        self.embedder.encode([WARM_UP_PAIR[0]])  # OpenVINO's first run takes ~20 ms more
        [judgement] = judge_texts(self.judge, self.gate, self.analyser, [WARM_UP_PAIR])
        return judgement

    def _start_analysis(
        self, texts: Sequence[str], published: Sequence[str | None]
    ) -> Callable[[], list[Analysis]]:
        """Start analysing an ingest batch in the analysis thread (and processes, for a large
        batch) while the caller embeds it; the returned call waits for the analyses, in order."""

        def in_thread(part: Sequence[str], dates: Sequence[str | None]) -> Future[list[Analysis]]:
            return self._analysis_worker.submit(self.analyser.analyse, part, dates)

        return self._analysis_processes.analyse_beside(self.analyser, in_thread, texts, published)

    def _judge_pairs(self, pairs: Sequence[tuple[str, Analysis, str, Analysis]]) -> list[Judgement]:
        return judge_analysed(self.judge, self.gate, pairs, self.model_reads)

    def _analysis(self, hit: Hit) -> Analysis:
        """A hit's stored analysis; one analysed now if the index predates it (until the next
        ingest or scan upgrades the index)."""
        if hit.analysis is not None:
            return hit.analysis
        return self.analyser.analyse([hit.sentence.text], [hit.document.published])[0]
