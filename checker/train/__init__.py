"""Training the project's own 3-way NLI cross-encoder (issue 3), reproducibly and offline.

`data` reads the licensed training pairs of ../shared/nli-train (train files only), `synthetic`
makes news-style pairs from the ABC corpus, `loop` trains, checkpoints and resumes. Nothing in
the running checker imports this package: torch is needed only here and in the NLI judge.
"""

from __future__ import annotations
