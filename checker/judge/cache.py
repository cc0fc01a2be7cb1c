"""A bounded cache of the NLI model's readings, keyed by the two texts of each reading.

An editor's draft is checked again and again as it is written (the widget and the page send
the whole draft), and most of its sentences meet the same passages each time; the nightly
scan meets the same wire copy in many documents. Each (first, second) reading the model has
scored is kept, the least recently used going first once `size` are held. The cache belongs
to one loaded model (`NLIJudge`), so a new model starts empty: the key is the two texts and,
implicitly, the model. Threads share it (gunicorn's workers run threads), hence the lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np

from checker.lru import LeastRecentlyUsed

Reading = tuple[str, str]


class ReadingCache:
    """Model outputs per reading, at most `size` of them (0: nothing is kept)."""

    def __init__(self, size: int) -> None:
        if size < 0:
            raise ValueError(f"a cache size is at least 0, not {size}")
        self.size = size
        self.hits = 0
        self.misses = 0
        self._rows: LeastRecentlyUsed[Reading, np.ndarray] = LeastRecentlyUsed(size)
        self._lock = threading.Lock()  # for the counts

    def __len__(self) -> int:
        return len(self._rows)

    def rows(
        self, readings: Sequence[Reading], score: Callable[[list[Reading]], np.ndarray]
    ) -> np.ndarray:
        """One output row per reading: kept ones from the cache, the others (each distinct
        reading once) from `score`, which are then kept."""
        found = self._rows.found(readings)
        missing = list(dict.fromkeys(r for r in readings if r not in found))
        if missing:
            for reading, row in zip(missing, score(missing), strict=True):
                found[reading] = row
            self._rows.keep(missing, found)
        with self._lock:
            self.misses += len(missing)
            self.hits += len(readings) - len(missing)
        return np.stack([found[r] for r in readings]) if readings else np.zeros((0, 0))
