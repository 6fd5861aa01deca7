"""``hairtint train``: train, then export the .tflite with metadata and a model card: the registry entry
in ``model_registry.json``'s own schema (id, version, stage, sha256, training data and command,
validation IoU), which ``hairtint models add RUN_DIR`` registers."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from pathlib import Path

from core.errors import DataError
from core.io.outputs import write_text
from training.data import count_photos
from training.efficientnet import PROVENANCE
from training.export import export
from training.model import ARCH_NAMES, PRETRAINED, count_parameters
from training.quiet import quiet_libraries
from training.train import TrainConfig, load_trained, train

log = logging.getLogger(__name__)
MODEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # a registry id, a file name and a --model word


def _recipe(config: dict) -> list[str]:
    """The options of the run's recipe that differ from the defaults, as ``hairtint train`` takes them."""
    options = {"distill": ("--distill", 0.0), "edge_weight": ("--edge-weight", 4.0), "augment": ("--augment", "full"),
               "hard_negatives": ("--hard-negatives", 1)}
    return [part for key, (flag, default) in options.items() if config.get(key, default) != default
            for part in (flag, str(config[key]))]


DESCRIPTIONS = {"hairnet-e0": "HairNet (hairnet-e0) U-Net with an EfficientNet-Lite0 encoder to stride 16 "
                              "(ImageNet-pretrained: see `pretrained`)"}


def model_card(net, state: dict, tflite: Path, sha256: str, name: str, version: str = "0.1.0",
               input_size: int | None = None) -> dict:
    """The registry entry for an exported model (``file`` relative to the run folder); ``input_size``:
    the exported input's side where it differs from the training size."""
    config, history = state["config"], state["history"]
    side = input_size or config["size"]
    validated = [h for h in history if h.get("val")]
    return {
        "id": name,
        "version": version,
        "stage": "experimental",
        "file": tflite.name,
        "sha256": sha256,
        "backend": "mediapipe",
        "input_size": [side, side],
        "parameters": count_parameters(net),
        "description": DESCRIPTIONS.get(config["arch"], f"HairNet ({config['arch']}) depthwise-separable U-Net")
        + " hair segmenter trained with `hairtint train`.",
        "training": {
            "data": [{"set": name, "split": "train.txt", "photos": count}
                     for name, count in count_photos(config["data"], "train").items()],
            "licence_note": "The terms of the training photos apply to this model.",
            "command": "hairtint train " + " ".join(
                ["--data", *config["data"], "--out", config["out"], "--arch", config["arch"],
                 *(["--minutes", str(config["minutes"])] if config["minutes"] else ["--epochs", str(config["epochs"])]),
                 "--size", str(config["size"]), "--batch-size", str(config["batch_size"]),
                 "--lr", str(config["lr"]), "--seed", str(config["seed"]), *_recipe(config), "--name", name,
                 *(["--export-size", str(side)] if side != config["size"] else [])]),
            "arch": config["arch"],
            "epochs": state["epochs_done"],
            "steps": state["steps"],
            "training_minutes": round(state["seconds"] / 60, 1),
            "size": config["size"],
            "batch_size": config["batch_size"],
            "lr": config["lr"],
            "seed": config["seed"],
            "date": dt.date.today().isoformat(),
        },
        "metrics": {"validation_iou_in_training": validated[-1]["val"] if validated else {}},
        **({"pretrained": PROVENANCE} if config["arch"] in PRETRAINED else {}),
    }


def run_training(args) -> int:
    logging.getLogger("training").setLevel(logging.INFO)  # epoch lines, whatever the CLI's own level
    quiet_libraries()  # the run's own lines only: the libraries' warnings and the converter's chatter held back
    if (args.pack_teacher and not args.pack_to) or (args.pack_teacher_mirror and not args.pack_teacher):
        raise DataError("--pack-teacher goes with --pack-to, and --pack-teacher-mirror with --pack-teacher")
    if args.pack_to:
        from training.pack import pack, teacher_model

        teacher = teacher_model(args.pack_teacher, mirror=args.pack_teacher_mirror) if args.pack_teacher else None
        counts = pack([Path(d) for d in args.data], Path(args.pack_to), longest=args.pack_longest,
                      quality=args.pack_quality, splits=tuple(args.pack_splits), teacher=teacher)
        print(f"packed {sum(counts.values())} photos into {args.pack_to}: "
              + ", ".join(f"{name} {split} {n}" for (name, split), n in counts.items()))
        return 0
    if not args.out:
        raise DataError("--out DIR is needed to train")
    if not args.name:
        raise DataError("--name ID is needed to train: the id the model is registered under by `hairtint models add` "
                        "(e.g. --name ours); give the shipped id (hairnet) only for a new version of that model")
    if not MODEL_ID.fullmatch(args.name):
        raise DataError(f"--name {args.name!r}: a model id is letters, digits, '.', '_' and '-', starting with a "
                        "letter or digit (no '@', '/' or spaces)")
    if args.arch not in ARCH_NAMES:
        raise DataError(f"unknown --arch {args.arch!r}; known: {', '.join(ARCH_NAMES)}")
    if args.hard_negatives < 1:
        raise DataError("--hard-negatives K: K is how often a hard photo is seen an epoch, 1 or more")
    config = TrainConfig(data=args.data, out=args.out, size=args.size, epochs=args.epochs or 50,
                         batch_size=args.batch_size, lr=args.lr, seed=args.seed, device=args.device,
                         max_steps=args.max_steps, arch=args.arch, minutes=args.minutes,
                         val_every=args.val_every, distill=args.distill, edge_weight=args.edge_weight,
                         augment=args.augment, hard_negatives=args.hard_negatives)
    checkpoint = train(config, resume=args.resume, progress=not args.quiet, epochs=args.epochs, minutes=args.minutes)
    if args.no_export:
        print(f"checkpoint: {checkpoint}")
        return 0
    net, state = load_trained(checkpoint)
    size = args.export_size or state["config"]["size"]
    tflite = Path(args.out) / f"{args.name}.tflite"
    print(f"exporting {tflite} (input {size}x{size}) …", file=sys.stderr)
    sha = export(net, size, tflite)
    card = model_card(net, state, tflite, sha, args.name, args.version, input_size=size)
    write_text(Path(args.out) / "model_card.json", json.dumps(card, indent=2))
    print(f"model: {tflite}\nsha256: {sha}\ncard: {Path(args.out) / 'model_card.json'}\n"
          f"register it with: hairtint models add {args.out}")
    return 0
