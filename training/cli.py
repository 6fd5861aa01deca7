"""``hairtint train``: train, then export the .tflite with metadata and a model card that holds the
registry entry (sha256, training data and terms, validation IoU) ready to paste into
model_registry.json."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from training.export import export
from training.model import count_parameters
from training.train import TrainConfig, load_trained, train

log = logging.getLogger(__name__)


def model_card(net, state: dict, tflite: Path, sha256: str, name: str) -> dict:
    config, history = state["config"], state["history"]
    validated = [h for h in history if h.get("val")]
    return {
        "id": name,
        "file": tflite.name,
        "sha256": sha256,
        "backend": "mediapipe",
        "input_size": [config["size"], config["size"]],
        "parameters": count_parameters(net),
        "training": {
            "data": [Path(d).name for d in config["data"]],
            "epochs_done": state["epoch"] + 1,
            "config": config,
            "command": "hairtint train " + " ".join(
                ["--data", *config["data"], "--out", config["out"], "--epochs", str(config["epochs"]),
                 "--size", str(config["size"]), "--batch-size", str(config["batch_size"]),
                 "--lr", str(config["lr"]), "--seed", str(config["seed"])]),
        },
        "validation_iou_in_training": validated[-1]["val"] if validated else {},
    }


def run_training(args) -> int:
    logging.getLogger("training").setLevel(logging.INFO)  # epoch lines, whatever the CLI's own level
    config = TrainConfig(data=args.data, out=args.out, size=args.size, epochs=args.epochs or 50,
                         batch_size=args.batch_size, lr=args.lr, seed=args.seed, device=args.device,
                         max_steps=args.max_steps)
    checkpoint = train(config, resume=args.resume, progress=True, epochs=args.epochs)
    if args.no_export:
        print(f"checkpoint: {checkpoint}")
        return 0
    net, state = load_trained(checkpoint)
    size = state["config"]["size"]
    tflite = Path(args.out) / f"{args.name}.tflite"
    print(f"exporting {tflite} (input {size}x{size}) …", file=sys.stderr)
    sha = export(net, size, tflite)
    card = model_card(net, state, tflite, sha, args.name)
    (Path(args.out) / "model_card.json").write_text(json.dumps(card, indent=2))
    print(f"model: {tflite}\nsha256: {sha}\ncard: {Path(args.out) / 'model_card.json'}")
    return 0
