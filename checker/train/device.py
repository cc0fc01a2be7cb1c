"""What travels to a lent GPU machine for a training run, and what comes back.

Such a machine (see issue 12) has torch but neither the base weights nor the data, and what
travels is capped (64 MiB with the working tree), as is what comes back (files of 16 MiB). So:

- `pack_base` writes the all-MiniLM-L6-v2 weights compactly: each large matrix as int8 with one
  fp16 scale per row, the rest fp16 (23 MB instead of 91); `unpack_base` rebuilds a model
  folder from it. The rounding (at most half a step of 1/127 of a row's largest weight) is far
  below what fine-tuning moves, and the run records the packed file's hash as its base model.
- `pack_data` copies the training and dev files gzipped (the loader reads `name.gz`).
- `sweep` (`checker.train.sweep`) trains one run per learning rate or named variant
  (`--variants`) side by side on the one GPU, keeps each run's best dev weights, optionally
  averages them into a weight soup (`--soup`), and writes the best by dev score (a run's, or
  the soup's where it beats every run) as fp16 in pieces under 16 MiB (`write_pieces`) with
  every run's logs and records; `unpieces` rebuilds a CrossEncoder folder from those pieces.

Nothing here imports the checker's service code: the GPU machine has only torch, transformers
and sentence-transformers. `python -m checker.train.device --help` lists the commands.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PACKED = "weights.int8.pt"
_SMALL_FILES = (
    "config.json",
    "config_sentence_transformers.json",
    "modules.json",
    "sentence_bert_config.json",
    "special_tokens_map.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.txt",
    "1_Pooling/config.json",
)
PIECE_BYTES = 15 * 2**20


def pack_base(model_dir: Path, out: Path) -> Path:
    """The model folder's weights as int8 rows + fp16 scales (large matrices) or fp16."""
    import torch
    from safetensors.torch import load_file

    out.mkdir(parents=True, exist_ok=True)
    packed: dict[str, torch.Tensor] = {}
    for name, tensor in load_file(str(model_dir / "model.safetensors")).items():
        if tensor.dim() == 2 and tensor.numel() >= 65536:
            scale = tensor.abs().amax(dim=1, keepdim=True).clamp(min=1e-12) / 127
            packed[name + ".int8"] = torch.round(tensor / scale).to(torch.int8)
            packed[name + ".scale"] = scale.to(torch.float16)
        elif tensor.is_floating_point():
            packed[name] = tensor.to(torch.float16)
        else:  # position ids and the like stay as they are
            packed[name] = tensor
    torch.save(packed, out / PACKED)
    for small in _SMALL_FILES:
        if (model_dir / small).is_file():
            (out / small).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(model_dir / small, out / small)
    return out / PACKED


def unpack_base(packed_dir: Path, out: Path) -> Path:
    """A model folder (fp32 safetensors) rebuilt from `pack_base`'s output."""
    import torch
    from safetensors.torch import save_file

    packed = torch.load(packed_dir / PACKED, map_location="cpu", weights_only=True)
    weights: dict[str, torch.Tensor] = {}
    for name, tensor in packed.items():
        if name.endswith(".int8"):
            base = name[: -len(".int8")]
            weights[base] = tensor.float() * packed[base + ".scale"].float()
        elif not name.endswith(".scale"):
            weights[name] = tensor.float() if tensor.is_floating_point() else tensor
    out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in weights.items()}, str(out / "model.safetensors"))
    for small in _SMALL_FILES:
        if (packed_dir / small).is_file():
            (out / small).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(packed_dir / small, out / small)
    return out


def pack_data(data: Path, files: Sequence[str], out: Path) -> list[Path]:
    """`files` under `data` copied gzipped (deterministically: no name or time in the header)."""
    written = []
    for name in files:
        target = out / (name + ".gz")
        target.parent.mkdir(parents=True, exist_ok=True)
        with gzip.GzipFile(target, "wb", compresslevel=9, mtime=0) as zipped:
            zipped.write((data / name).read_bytes())
        written.append(target)
    return written


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_pieces(
    state: dict[str, Any], out: Path, stem: str, piece_bytes: int = PIECE_BYTES
) -> list[Path]:
    """A state dict as fp16 in files under PIECE_BYTES each (`stem`.0.pt, .1.pt, ...)."""
    import torch

    pieces: list[dict[str, Any]] = [{}]
    size = 0
    for name, tensor in state.items():
        half = tensor.detach().to("cpu", torch.float16 if tensor.is_floating_point() else None)
        # A matrix larger than a piece (the word embeddings) travels as row blocks "name#k".
        row_bytes = half[0].numel() * half.element_size() if half.dim() == 2 else 0
        parts = (
            [(f"{name}#{k}", b) for k, b in enumerate(half.split(piece_bytes // 2 // row_bytes))]
            if row_bytes and half.numel() * half.element_size() > piece_bytes // 2
            else [(name, half)]
        )
        for part, block in parts:
            nbytes = block.numel() * block.element_size()
            if size + nbytes > piece_bytes and pieces[-1]:
                pieces.append({})
                size = 0
            pieces[-1][part] = block.clone()  # a view would save its whole storage
            size += nbytes
    paths = []
    for i, piece in enumerate(pieces):
        path = out / f"{stem}.{i}.pt"
        torch.save(piece, path)
        paths.append(path)
    return paths


def read_pieces(folder: Path, stem: str) -> dict[str, Any]:
    """The fp32 state dict `write_pieces` split."""
    import torch

    state: dict[str, Any] = {}
    blocks: dict[str, list[tuple[int, Any]]] = {}
    for path in sorted(folder.glob(f"{stem}.*.pt"), key=lambda p: int(p.suffixes[-2][1:])):
        for name, tensor in torch.load(path, map_location="cpu", weights_only=True).items():
            value = tensor.float() if tensor.is_floating_point() else tensor
            whole, _, block = name.partition("#")
            if block:
                blocks.setdefault(whole, []).append((int(block), value))
            else:
                state[name] = value
    for name, parts in blocks.items():
        state[name] = torch.cat([value for _, value in sorted(parts, key=lambda item: item[0])])
    return state


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    base = commands.add_parser("pack-base", help="int8-pack a model folder's weights")
    base.add_argument("model_dir", type=Path)
    base.add_argument("out", type=Path)
    packed = commands.add_parser("pack-data", help="gzip the training and dev files")
    packed.add_argument("data", type=Path)
    packed.add_argument("out", type=Path)
    packed.add_argument("files", nargs="+")
    one = commands.add_parser("one", help="one run from a JSON TrainConfig")
    one.add_argument("config_json")
    runs = commands.add_parser("sweep", help="one run per learning rate or variant, side by side")
    runs.add_argument("--config", required=True, help="JSON file of TrainConfig fields")
    runs.add_argument("--base", required=True, help="folder written by pack-base")
    runs.add_argument("--work", required=True)
    runs.add_argument("--results", required=True)
    runs.add_argument("--learning-rates", type=float, nargs="+", default=[])
    runs.add_argument(
        "--variants", type=Path, help="JSON object: run name -> TrainConfig fields it changes"
    )
    runs.add_argument(
        "--soup",
        action="store_true",
        help="also average the runs' best weights, measure that on the same dev sets, and "
        "bring it back instead of the best run where it scores above every run",
    )
    runs.add_argument(
        "--measure-base",
        action="store_true",
        help="first measure the starting weights on the dev sets (a trained NLI model being "
        "continued: the score each run must beat), recorded as 'base' in sweep.json",
    )
    pieces = commands.add_parser("unpieces", help="fp16 pieces back into a CrossEncoder folder")
    pieces.add_argument("pieces", type=Path)
    pieces.add_argument("template", type=Path, help="a model folder of the same architecture")
    pieces.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    if args.command == "pack-base":
        print(pack_base(args.model_dir, args.out))
    elif args.command == "pack-data":
        print(len(pack_data(args.data, args.files, args.out)), "files")
    elif args.command == "one":
        from checker.train.sweep import run_one

        run_one(args.config_json)
    elif args.command == "sweep":
        from checker.train.sweep import sweep

        return sweep(args)
    elif args.command == "unpieces":
        restore_pieces(args.pieces, args.template, args.out)
    return 0


def restore_pieces(pieces: Path, template: Path, out: Path) -> Path:
    """A CrossEncoder folder: `template`'s config and tokenizer, the pieces' weights (fp32)."""
    from checker.train.model import write_model

    return write_model(read_pieces(pieces, "best"), template, out)


if __name__ == "__main__":
    sys.exit(main())
