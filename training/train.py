"""The training loop behind ``hairtint train``: BCE + Dice, AdamW with a one-cycle schedule,
a checkpoint after every epoch (``--resume`` carries on from it), validation IoU per set, a curve plot."""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F
from tqdm import tqdm

from core.metrics import mask_iou
from training.data import Batches, Photo, load_photos, plain_geometry, to_tensor
from training.model import HairNet, count_parameters

log = logging.getLogger(__name__)

CHECKPOINT = "checkpoint.pt"
HISTORY = "history.json"


@dataclass
class TrainConfig:
    data: list[str]
    out: str
    size: int = 192
    epochs: int = 50
    batch_size: int = 32
    lr: float = 3e-3
    weight_decay: float = 1e-4
    seed: int = 0
    val_every: int = 10
    max_steps: int | None = None  # stop early after this many steps in total (smoke runs)
    threads: int = field(default_factory=lambda: os.cpu_count() or 1)
    device: str = "auto"


def dice_bce(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    bce = F.binary_cross_entropy_with_logits(logits, target)
    prob = torch.sigmoid(logits)
    inter = (prob * target).sum(dim=(1, 2, 3))
    total = prob.sum(dim=(1, 2, 3)) + target.sum(dim=(1, 2, 3))
    dice = 1.0 - (2.0 * inter + 1.0) / (total + 1.0)
    return bce + dice.mean()


@torch.no_grad()
def validate(net: HairNet, photos: list[Photo], size: int, device: torch.device) -> dict[str, float]:
    """Mean IoU per set, the whole photo stretched to the model's square, mask compared at photo size."""
    net.eval()
    scores: dict[str, list[float]] = {}
    for start in range(0, len(photos), 32):
        chunk = photos[start : start + 32]
        x = to_tensor(np.stack([plain_geometry(p, size)[0] for p in chunk])).to(device)
        prob = torch.sigmoid(net(x)).cpu().numpy()[:, 0]
        for p, pr in zip(chunk, prob):
            h, w = p.mask.shape
            pred = torch.from_numpy(pr)[None, None]
            pred = F.interpolate(pred, size=(h, w), mode="bilinear", align_corners=False)[0, 0].numpy() > 0.5
            scores.setdefault(p.set_name, []).append(mask_iou(pred, p.mask > 127))
    net.train()
    return {name: float(np.mean(values)) for name, values in sorted(scores.items())}


def _pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def _save_atomic(obj, path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def plot_history(history: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, (ax_loss, ax_iou) = plt.subplots(1, 2, figsize=(10, 4))
    epochs = [h["epoch"] for h in history]
    ax_loss.plot(epochs, [h["loss"] for h in history])
    ax_loss.set(xlabel="epoch", ylabel="train loss (BCE + Dice)", title="training loss")
    val = [h for h in history if h.get("val")]
    for name in sorted({k for h in val for k in h["val"]}):
        ax_iou.plot([h["epoch"] for h in val], [h["val"][name] for h in val], marker="o", label=name)
    ax_iou.set(xlabel="epoch", ylabel="mean IoU", title="validation IoU")
    if val:
        ax_iou.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def train(config: TrainConfig, resume: bool = False, progress: bool = True, epochs: int | None = None) -> Path:
    """Train (or resume) into ``config.out``; returns the checkpoint path. On resume, ``epochs``
    (if given) lengthens or shortens the run: the one-cycle schedule is stretched to the new length
    from the step reached."""
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    device = _pick_device(config.device)
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)

    state = None
    if resume:
        ckpt = out / CHECKPOINT
        if not ckpt.exists():
            raise FileNotFoundError(f"--resume: no {CHECKPOINT} in {out}")
        state = torch.load(ckpt, map_location="cpu", weights_only=False)
        saved = TrainConfig(**state["config"])
        # a resumed run keeps the schedule it started with; only where it writes and how it runs may change
        config = TrainConfig(**{**asdict(saved), "out": config.out, "threads": config.threads,
                                "device": config.device, "max_steps": config.max_steps,
                                "epochs": epochs or saved.epochs})

    folders = [Path(d) for d in config.data]
    longest = round(config.size * 1.5)
    train_photos = load_photos(folders, "train", longest, progress)
    val_photos = load_photos(folders, "val", longest, progress)
    batches = Batches(train_photos, config.size, config.batch_size, config.seed)
    if len(batches) == 0:
        raise ValueError(f"only {len(train_photos)} training photos: fewer than one batch of {config.batch_size}")

    net = HairNet().to(device).to(memory_format=torch.channels_last)
    optimiser = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=config.lr, total_steps=config.epochs * len(batches), pct_start=0.15
    )
    history: list[dict] = []
    first_epoch, steps = 0, 0
    if state is not None:
        net.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        history, first_epoch, steps = state["history"], state["epoch"] + 1, state["steps"]
        if config.epochs == state["config"]["epochs"]:
            schedule.load_state_dict(state["schedule"])
        else:
            log.info("schedule changed from %d to %d epochs at step %d", state["config"]["epochs"], config.epochs, steps)
            schedule = torch.optim.lr_scheduler.OneCycleLR(
                optimiser, max_lr=config.lr, total_steps=max(config.epochs * len(batches), steps + 1), pct_start=0.15)
            schedule.last_epoch = steps
            for group, lr in zip(optimiser.param_groups, schedule.get_lr()):
                group["lr"] = lr
    log.info("HairNet %d parameters, %d train / %d val photos, %s", count_parameters(net),
             len(train_photos), len(val_photos), device)

    net.train()
    for epoch in range(first_epoch, config.epochs):
        started, losses = time.monotonic(), []
        bar = tqdm(batches.epoch(epoch), total=len(batches), desc=f"epoch {epoch + 1}/{config.epochs}",
                   unit="batch", disable=not progress)
        for x, y in bar:
            x, y = x.to(device), y.to(device)
            loss = dice_bce(net(x), y)
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            schedule.step()
            losses.append(loss.item())
            steps += 1
            bar.set_postfix(loss=f"{np.mean(losses[-20:]):.3f}")
            if config.max_steps is not None and steps >= config.max_steps:
                break
        last = epoch == config.epochs - 1 or (config.max_steps is not None and steps >= config.max_steps)
        record = {"epoch": epoch + 1, "loss": float(np.mean(losses)), "seconds": time.monotonic() - started,
                  "images_per_s": len(losses) * config.batch_size / (time.monotonic() - started)}
        if last or (epoch + 1) % config.val_every == 0:
            record["val"] = validate(net, val_photos, config.size, device)
        history.append(record)
        log.info("epoch %d: %s", epoch + 1, json.dumps(record))
        _save_atomic({"model": net.state_dict(), "optimiser": optimiser.state_dict(),
                      "schedule": schedule.state_dict(), "history": history, "epoch": epoch,
                      "steps": steps, "config": asdict(config)}, out / CHECKPOINT)
        (out / HISTORY).write_text(json.dumps(history, indent=1))
        plot_history(history, out / "training_curve.png")
        if last:
            break
    return out / CHECKPOINT


def load_trained(checkpoint: Path) -> tuple[HairNet, dict]:
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    net = HairNet()
    net.load_state_dict(state["model"])
    return net.eval(), state
