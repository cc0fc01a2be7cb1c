"""Which index a request means: the configured one, or a sibling directory named by `index`.

A request may say `"index": "wire"` to search `<parent of CHECKER_INDEX>/wire`; the
embedding model is shared, each other index opens on first use. `/v1/check` may name several
(`"indexes": ["2023-08", "2023-09"]`: an index a month, split by time) and merge their top k.
A name that is not an existing index is a 404, never a new empty index.
"""

from __future__ import annotations

import re
import threading

from checker.errors import InvalidInput, NotFound
from checker.service import Checker, build_judge
from checker.store import Store
from checker.store.manifest import MANIFEST_NAME
from checker.store.vectors import IndexConfig

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class Indexes:
    def __init__(self, default: Checker) -> None:
        self.default = default
        self._others: dict[str, Checker] = {}
        self._lock = threading.Lock()

    def get(self, name: str | None, field: str = "index") -> Checker:
        """`field`: the request member that named it, for the error."""
        if name is None or name == self.default.settings.index.name:
            return self.default
        if not isinstance(name, str) or not _NAME.match(name) or name.startswith(".."):
            raise InvalidInput(f"{field} must be a plain directory name, got {name!r}", field)
        with self._lock:
            if name not in self._others:
                self._others[name] = self._open(name)
            return self._others[name]

    def _open(self, name: str) -> Checker:
        settings = self.default.settings
        directory = settings.index.parent / name
        if not (directory / MANIFEST_NAME).is_file():
            # The name, not the directory: no answer says where the server keeps its files.
            raise NotFound(f"unknown index {name!r}: no index of that name beside the default one")
        embedder = self.default.embedder
        config = IndexConfig.from_settings(settings)  # the same ANN and thread settings
        store = Store.open(
            directory, embedder.name, embedder.dimension, create=False, config=config
        )
        return Checker(settings, store, build_judge(settings), embedder)
