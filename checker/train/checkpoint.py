"""Checkpoints of a training run: written atomically, the last few kept, refused if stale.

A checkpoint holds the step (which fixes the data position, see `loop.epoch_order`), the model,
optimizer and scheduler states and the torch and Python RNG states. It also records the run's
hyper-parameters and data fingerprint: resuming with other settings or other data would
silently train a different model, so it is refused instead.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

    from checker.train.loop import TrainConfig

# Settings that only change how a run reports itself may differ on resume.
_COSMETIC = ("log_every", "checkpoint_every", "keep_checkpoints")


def checkpoint_dir(out: Path) -> Path:
    return out / "checkpoints"


def latest_checkpoint(out: Path) -> Path | None:
    found = sorted(checkpoint_dir(out).glob("step-*/state.pt"))
    return found[-1] if found else None


def save_checkpoint(
    config: TrainConfig,
    network: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    step: int,
    counts: dict[str, Any],
) -> Path:
    import torch

    state = {
        "step": step,
        "hyper_parameters": _relevant(config.hyper_parameters()),
        "fingerprint": counts["fingerprint"],
        "model": network.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "torch_rng": torch.get_rng_state(),
        "python_rng": random.getstate(),
    }
    root = checkpoint_dir(config.out)
    final = root / f"step-{step:08d}"
    partial = root / f".partial-{step:08d}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    torch.save(state, partial / "state.pt")
    shutil.rmtree(final, ignore_errors=True)
    # A rename is atomic: a run killed while saving leaves the previous checkpoint intact.
    partial.rename(final)
    for old in sorted(root.glob("step-*"))[: -config.keep_checkpoints]:
        shutil.rmtree(old)
    return final


def read_checkpoint(path: Path, config: TrainConfig, counts: dict[str, Any]) -> dict[str, Any]:
    """The saved states at `path`, refused unless made with these settings and this data.

    Called before the model is built, so a wrong resume fails at once.
    """
    import torch

    state: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=True)
    now = _relevant(config.hyper_parameters())
    # A setting added after the checkpoint was made counts as its default (what it trained with).
    saved = {**_defaults(now), **state["hyper_parameters"]}
    if saved != now:
        changed = sorted(k for k in set(saved) | set(now) if saved.get(k) != now.get(k))
        raise ValueError(
            f"checkpoint {path} was made with other settings ({', '.join(changed)}); "
            "resume with the same flags, or train into a new --out"
        )
    if state["fingerprint"] != counts["fingerprint"]:
        raise ValueError(f"checkpoint {path} was made from other training data; use a new --out")
    return state


def restore(
    state: dict[str, Any],
    network: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
) -> int:
    """Puts every saved state back and returns the step to continue from."""
    import torch

    network.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    # Last, after building the model consumed random numbers: dropout continues as it would have.
    torch.set_rng_state(state["torch_rng"])
    random.setstate(_as_tuple(state["python_rng"]))
    return int(state["step"])


def _defaults(now: dict[str, Any]) -> dict[str, Any]:
    """`TrainConfig`'s default of each setting, in `hyper_parameters()`'s form."""
    from checker.train.loop import TrainConfig

    defaults = TrainConfig(out=Path(".")).hyper_parameters()
    return {k: v for k, v in defaults.items() if k in now}


def _relevant(hyper_parameters: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in hyper_parameters.items() if k not in _COSMETIC}


def _as_tuple(value: Any) -> Any:
    return tuple(_as_tuple(v) for v in value) if isinstance(value, list | tuple) else value
