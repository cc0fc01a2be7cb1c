"""A uniform weight soup: the mean of several fine-tuning runs' weights (issue 12).

Runs that start from the same base weights and differ only in seed (data order, head
initialisation) often end in one basin of the loss, where the mean of their weights scores as
well as the best of them or better (Wortsman et al. 2022, "Model soups"); it costs nothing at
inference, unlike an ensemble. Here:

- `average` is the uniform mean of state dicts of one architecture (same names and shapes;
  integer buffers such as position ids must agree and are kept as they are);
- `make_soup` writes the mean of run folders' `model.safetensors` (each run's best-dev weights)
  as a CrossEncoder folder, with the first run's config and tokenizer;
- `measure_soup` scores such a folder on a run's dev sets with `checker.train.evaluate`, the
  code and the seeded samples every run is measured with, so its score sits beside theirs.

`python -m checker.train.device sweep --soup` uses them after its runs end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.train import evaluate
from checker.train.model import WEIGHTS, new_model, write_model

if TYPE_CHECKING:
    import torch

    from checker.train.loop import TrainConfig


def average(states: Sequence[Mapping[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """The uniform mean of `states` (floating tensors in fp32, returned in their own dtype)."""
    import torch

    if not states:
        raise ValueError("no weights to average")
    first = states[0]
    for other in states[1:]:
        if other.keys() != first.keys() or any(other[k].shape != v.shape for k, v in first.items()):
            raise ValueError("the weights differ in names or shapes: not one architecture")
    soup: dict[str, torch.Tensor] = {}
    for name, tensor in first.items():
        if tensor.is_floating_point():
            mean = torch.stack([state[name].float() for state in states]).mean(dim=0)
            soup[name] = mean.to(tensor.dtype)
        elif all(torch.equal(state[name], tensor) for state in states):
            soup[name] = tensor.clone()
        else:  # an integer buffer has no mean: differing ones mean different models
            raise ValueError(f"{name} differs between the weights and cannot be averaged")
    return soup


def make_soup(runs: Sequence[Path], out: Path) -> Path:
    """A CrossEncoder folder in `out`: the runs' mean weights, the first run's other files."""
    from safetensors.torch import load_file

    return write_model(average([load_file(str(run / WEIGHTS)) for run in runs]), runs[0], out)


def measure_soup(folder: Path, config: TrainConfig) -> dict[str, Any]:
    """The folder's scores on `config`'s dev sets, measured as a run measures itself."""
    if config.device.startswith("cuda"):  # as `loop.train` sets it for the runs' measures
        import torch

        torch.backends.cuda.matmul.allow_tf32 = True
    model = new_model(str(folder), config.device)
    assert model.model is not None
    return evaluate.measure(model.model, model, evaluate.dev_sets(config), config)
