"""A bounded, thread-safe store of computed rows, least recently used out first.

The caches in front of the two models (`embed.VectorCache`, claim vectors by text;
`judge.cache.ReadingCache`, NLI outputs by reading) look rows up and keep new ones through
this one piece; each says itself what it counts and how it computes what is missing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LeastRecentlyUsed(Generic[K, V]):
    """At most `size` values by key (0: nothing is kept)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    def found(self, keys: Iterable[K]) -> dict[K, V]:
        """The values held for `keys`, each now the most recently used."""
        found: dict[K, V] = {}
        with self._lock:
            for key in keys:
                value = self._values.get(key)
                if value is not None:
                    self._values.move_to_end(key)
                    found[key] = value
        return found

    def keep(self, keys: list[K], values: Mapping[K, V]) -> None:
        """Hold `values[key]` for each of `keys` (the last `size` of them), dropping the least
        recently used beyond `size`."""
        if not self.size:
            return
        with self._lock:
            for key in keys[-self.size :]:
                self._values[key] = values[key]
                self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
