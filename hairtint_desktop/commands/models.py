"""``hairtint train`` and ``hairtint models`` (list, verify, add, quantize): making models and keeping the
registry of them. Training and quantising need the 'train' extra (PyTorch); ``training`` is imported
only inside the two functions that run it."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

from core.catalog import registry_file
from core.catalog.model_listing import ModelListing
from core.catalog.registry import NewModel, Registry, check_new_model, register
from core.errors import HairTintError
from hairtint_desktop.commands.registry import command, group, option


@command("train", "train a hair model and export it for MediaPipe (needs the 'train' extra)",
         option("--data", nargs="+", required=True, metavar="DIR|PACK",
                help="sets with train.txt / val.txt, folders of sets, or .npz packs made with --pack-to"),
         option("--out", metavar="DIR", help="where checkpoints, curves and the .tflite go"),
         option("--arch", default="hairnet", help="hairnet (1.0.0's), hairnet2, hairnet-hq, or hairnet-e0 "
                "(an ImageNet-pretrained EfficientNet-Lite0 encoder)"),
         option("--epochs", type=int, help="default 50 (what hairnet 1.0.0 got); with --resume, a new length for the run"),
         option("--minutes", type=float, help="train for this long instead (the schedule follows the clock)"),
         option("--size", type=int, default=192, help="square training and model input size"),
         option("--batch-size", type=int, default=32),
         option("--lr", type=float, default=3e-3),
         option("--seed", type=int, default=0),
         option("--device", default="auto", help="auto, cpu or cuda"),
         option("--resume", action="store_true", help="carry on from OUT/checkpoint.pt"),
         option("--max-steps", type=int, help="stop after this many steps (smoke runs)"),
         option("--name", metavar="ID", help="needed to train: the model id it is registered under (`models add`) "
                "and the exported .tflite's name, e.g. ours; the shipped id (hairnet) only for a new version of it"),
         option("--version", default="0.1.0", help="version written into the model card (default 0.1.0)"),
         option("--no-export", action="store_true", help="skip the TFLite export"),
         option("--export-size", type=int, metavar="N",
                help="export for an N x N input (default: --size; the net is fully convolutional)"),
         option("--val-every", type=int, default=10, help="validate every N epochs (and at the end)"),
         option("--quiet", action="store_true", help="no progress bars (log lines per epoch only)"),
         option("--pack-to", metavar="FILE.npz", help="only pack --data's photos into one file to train from elsewhere"),
         option("--pack-longest", type=int, default=384, help="longest photo side in the pack (default 384)"),
         option("--pack-quality", type=int, default=90, help="JPEG quality of the packed photos (default 90)"),
         option("--pack-splits", nargs="+", default=["train", "val"], choices=["train", "val"],
                help="which splits to pack (default both)"),
         option("--pack-teacher", metavar="MODEL", nargs="+",
                help="also store this model's hair probability for each packed photo, to --distill from "
                     "(several: their mean)"),
         option("--pack-teacher-mirror", action="store_true",
                help="the teacher's answer for a photo is its mean over the photo and its mirror image"),
         option("--distill", type=float, default=0.0, metavar="W",
                help="weight of a loss towards the pack's teacher probabilities (0: none)"),
         option("--edge-weight", type=float, default=4.0,
                help="extra loss weight on the band round the true hair boundary (default 4)"),
         option("--hard-negatives", type=int, default=1, metavar="K",
                help="see each hard-negative photo (where the pack's teacher calls non-hair hair) K times an "
                     "epoch, and follow the teacher only where it agrees with the truth (default 1: off)"),
         option("--augment", choices=("full", "geometry"), default="full",
                help="full: geometry and camera faults; geometry: zoom, rotation and crops only"))
def train(args) -> int:
    try:
        from training.cli import run_training  # lazy: PyTorch, which only the train extra has
    except ImportError as exc:
        raise HairTintError(f"training needs the 'train' extra (pip install -e '.[train]'): {exc}") from exc
    return run_training(args)


group("models", "list, verify, add or quantize models", dest="models_command")


@command("models list", None)
def models_list(args) -> int:
    from core.tryon.session import Session  # lazy: Pillow (through the session's specs), off `hairtint --help`

    listing = ModelListing.of(Session().registry)
    for model in listing.models:  # each line of the table, and what its figures left out beside it
        print(model.line())
        if model.problem:
            print(listing.problem_line(model), file=sys.stderr)
    return 0


@command("models verify", None)
def models_verify(args) -> int:
    from core.tryon.session import Session  # lazy: Pillow (through the session's specs), off `hairtint --help`

    bad = 0
    for e in Session().registry.entries:
        try:
            e.verify()
            print(f"ok       {e.id}@{e.version}  {e.file.name}  sha256 {e.sha256[:16]}…")
        except HairTintError as exc:
            bad += 1
            print(f"FAILED   {e.id}@{e.version}: {exc}", file=sys.stderr)
    return 1 if bad else 0


@command("models add", "register a trained model: RUN_DIR holds model_card.json and its .tflite; refused when "
         "its id and version are taken, or (unless --force) when its validation IoU is below the default's",
         option("run_dir", metavar="RUN_DIR", help="a `hairtint train --out` or `models quantize --out` folder"),
         option("--stage", choices=("experimental", "stable"), help="default: the card's (experimental)"),
         option("--version", help="default: the card's"),
         option("--data", nargs="+", metavar="DIR",
                help="the sets whose val.txt the default's registered IoU was measured on (default: "
                     "../shared/datasets beside the registry)"),
         option("--force", action="store_true",
                help="register it without comparing it with the default (a taken id and version is still refused)"))
def models_add(args) -> int:
    path = registry_file.registry_path()
    new = check_new_model(Path(args.run_dir), path, stage=args.stage, version=args.version)
    if args.force:
        print(f"{new.name} not compared with the default model (--force)", file=sys.stderr)
    else:
        new = _passed_gate(new, Registry.load(path), args.data or [path.parent.parent / "shared" / "datasets"])
    entry = register(new)
    registry = Registry.load(path)
    spec = entry.id if registry.resolve(entry.id) == entry else f"{entry.id}@{entry.version}"
    print(f"registered {entry.id}@{entry.version} ({entry.stage}) -> {entry.file}")
    print(f"run it with --model {spec}" + (
        "; without --model it reaches an installation only through the rollout stage (`hairtint rollout`)"
        if entry.stage == "experimental" else ""))
    return 0


def _passed_gate(new: NewModel, registry: Registry, data: list) -> NewModel:
    """``new`` with its measured validation IoU in its metrics when it is not below the registered
    default's (``core.tools.model_gate``); HairTintError, nothing written, when it is or cannot be measured."""
    from core.tools import model_gate  # lazy: OpenCV and MediaPipe, off `hairtint --help`

    default = registry.resolve(None)
    print(f"measuring {new.name} on the validation split against the default {default.id}@{default.version} …",
          file=sys.stderr)
    try:
        verdict = model_gate.judge(new.model(), default, [Path(d) for d in data])
    except model_gate.GateError as exc:
        raise HairTintError(f"{new.name} was not registered: it cannot be compared with the default: {exc}; "
                            "register it without the comparison with --force") from None
    print("\n".join(verdict.lines()))
    if not verdict.passed:
        raise HairTintError(
            f"{new.name} was not registered: its validation IoU {verdict.new_mean:.4f} is below the default "
            f"{verdict.default}'s {verdict.default_mean:.4f}, so it could only make try-ons worse; nothing was "
            "written. Register it anyway with --force")
    where = " ".join(os.path.relpath(d, new.registry_path.parent) for d in data)  # as the registry's own commands say it
    measured = {"eval_command": f"hairtint eval --data {where} --split {model_gate.SPLIT} "
                                f"--model {new.name}",
                "split": f"{model_gate.SPLIT} of each set", "mean_iou": verdict.new}
    return replace(new, entry={**new.entry, "metrics": {**new.entry.get("metrics", {}), **measured}})


@command("models quantize", "make an int8 copy of a model, calibrated on training photos, "
         "for `models add` (needs the 'train' extra)",
         option("model", metavar="MODEL", help="registry id, id@version or .tflite"),
         option("--data", nargs="+", required=True, metavar="DIR", help="sets with train.txt, or folders of sets"),
         option("--out", required=True, metavar="DIR", help="where the .tflite and its model card go"),
         option("--name", help="model id of the copy (default: the model's own)"),
         option("--version", default="0.1.0", help="version written into the model card (default 0.1.0)"))
def models_quantize(args) -> int:
    try:
        from training.quantize import run_quantize  # lazy: PyTorch, which only the train extra has
    except ImportError as exc:
        raise HairTintError(f"quantising needs the 'train' extra (pip install -e '.[train]'): {exc}") from exc
    return run_quantize(args)
