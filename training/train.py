"""The training loop behind ``hairtint train``.

Loss (``training.objective``): BCE weighted towards the hair's boundary, plus Dice; optionally (``distill``) a BCE towards a
larger model's probabilities stored in the pack (``hairtint train --pack-teacher``). AdamW; the learning rate warms up, then
follows a cosine to zero over the run, measured in steps (``--epochs``) or in time (``--minutes``,
for a machine lent for a fixed while). An exponential moving average of the weights is what gets
validated and exported. A checkpoint after every epoch; ``--resume`` carries on from it. Runs on the
CPU or a GPU (bf16 autocast there) with the photos and their augmentation on the same device.

Nothing here is global: the augmentation's random stream is seeded by (seed, rank, epoch), so the
loop can later be wrapped for data-parallel training (one process per rank, ``RANK`` in the
environment) without changing what a single process does.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F
from tqdm import tqdm

from core.errors import DataError
from core.tools.mask_metrics import mask_iou
from training.augment import augmented_batch, plain_batch
from training.data import PhotoSet, load_photos
from training.model import build, count_parameters
from training.objective import hard_photos, training_loss

log = logging.getLogger(__name__)

CHECKPOINT = "checkpoint.pt"
HISTORY = "history.json"
WARMUP = 0.05  # share of the run spent warming the learning rate up
PRETRAINED_LR = 0.5  # a pretrained encoder learns at this share of the peak rate: fine-tuned, not overwritten


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
    arch: str = "hairnet"
    minutes: float | None = None  # train for this long instead of ``epochs`` (the schedule follows the clock)
    edge_weight: float = 4.0  # extra BCE weight on pixels near the true hair boundary
    distill: float = 0.0  # weight of a BCE towards the pack's teacher probabilities
    augment: str = "full"  # "full", or "geometry" (no camera faults: colour, light, noise, blur, JPEG)
    hard_negatives: int = 1  # each hard-negative photo (see ``hard_photos``) is seen this many times an epoch
    ema: float = 0.999
    val_every: int = 10
    max_steps: int | None = None  # stop early after this many steps in total (smoke runs)
    threads: int = field(default_factory=lambda: os.cpu_count() or 1)
    device: str = "auto"

    @property
    def source(self) -> int:
        """Side of the square the photos are held at: room to zoom in, never above the photos' 512."""
        return max(self.size, min(512, round(self.size * 1.5)))


def learning_rate(peak: float, progress: float) -> float:
    """Linear warm-up over the first ``WARMUP`` of the run, then a cosine down to zero."""
    if progress < WARMUP:
        return peak * max(progress / WARMUP, 0.01)
    return peak * 0.5 * (1.0 + math.cos(math.pi * min(1.0, (progress - WARMUP) / (1.0 - WARMUP))))


@torch.no_grad()
def validate(net: torch.nn.Module, photos: PhotoSet, size: int) -> dict[str, float]:
    """Mean IoU per set on the square view (the photo stretched to the model's square, the mask
    compared at the held size). ``hairtint eval`` is the judge; this follows the run."""
    net.eval()
    scores: dict[str, list[float]] = {}
    device = photos.images.device
    for start in range(0, len(photos), 64):
        index = torch.arange(start, min(start + 64, len(photos)), device=device)
        logits = net(plain_batch(photos, index, size)).float()
        prob = F.interpolate(logits, size=photos.masks.shape[-2:], mode="bilinear", align_corners=False)
        pred = (prob[:, 0] > 0).cpu().numpy()
        truth = (photos.masks[index, 0] > 127).cpu().numpy()
        for i, p, t in zip(index.tolist(), pred, truth, strict=True):
            scores.setdefault(photos.set_names[i], []).append(mask_iou(p, t))
    net.train()
    return {name: float(np.mean(values)) for name, values in sorted(scores.items())}


def _pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise DataError("--device cuda: PyTorch sees no CUDA device on this machine")
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
    ax_loss.set(xlabel="epoch", ylabel="train loss (edge-weighted BCE + Dice)", title="training loss")
    val = [h for h in history if h.get("val")]
    for name in sorted({k for h in val for k in h["val"]}):
        ax_iou.plot([h["epoch"] for h in val], [h["val"][name] for h in val], marker="o", label=name)
    ax_iou.set(xlabel="epoch", ylabel="mean IoU", title="validation IoU")
    if val:
        ax_iou.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


class Averager:
    """Keeps ``ema``'s weights and batch-norm statistics an exponential moving average of ``net``'s."""

    def __init__(self, ema: torch.nn.Module, net: torch.nn.Module):
        pairs = list(zip(ema.state_dict().values(), net.state_dict().values(), strict=True))
        self.floats = [[e for e, _ in pairs if e.dtype.is_floating_point], [p for e, p in pairs if e.dtype.is_floating_point]]
        self.others = [(e, p) for e, p in pairs if not e.dtype.is_floating_point]

    @torch.no_grad()
    def update(self, decay: float) -> None:
        torch._foreach_lerp_(self.floats[0], self.floats[1], 1.0 - decay)
        for e, p in self.others:
            e.copy_(p)


class Run:
    """One training run's state: the nets, the optimiser, where it is, and what it has seen."""

    def __init__(self, config: TrainConfig, device: torch.device, state: dict | None):
        self.config, self.device = config, device
        self.net = build(config.arch)
        encoder = getattr(self.net, "encoder", None)  # a pretrained encoder learns more slowly
        if encoder is not None and state is None:
            log.info("%s: %d ImageNet tensors loaded into the encoder", config.arch, self.net.load_pretrained())
        self.net = self.net.to(device).to(memory_format=torch.channels_last)
        own = {id(p) for p in encoder.parameters()} if encoder is not None else set()
        groups = [{"params": [p for p in self.net.parameters() if id(p) not in own], "scale": 1.0}]
        if own:
            groups.append({"params": list(encoder.parameters()), "scale": PRETRAINED_LR})
        self.optimiser = torch.optim.AdamW(groups, lr=config.lr, weight_decay=config.weight_decay)
        self.ema = copy.deepcopy(self.net).eval()
        self.history: list[dict] = []
        self.epochs_done, self.steps, self.seconds = 0, 0, 0.0
        if state is not None:
            self.net.load_state_dict(state["model"])
            self.ema.load_state_dict(state["ema"])
            if "optimiser" in state:  # a run copied off a training machine may carry only its weights
                self.optimiser.load_state_dict(state["optimiser"])
            self.history, self.epochs_done = state["history"], state["epochs_done"]
            self.steps, self.seconds = state["steps"], state["seconds"]
        self.averager = Averager(self.ema, self.net)

    def progress(self, steps_per_epoch: int) -> float:
        if self.config.minutes:
            return self.seconds / (60.0 * self.config.minutes)
        return self.steps / (self.config.epochs * steps_per_epoch)

    def finished(self, steps_per_epoch: int) -> bool:
        if self.config.max_steps is not None and self.steps >= self.config.max_steps:
            return True
        if self.config.minutes:
            return self.progress(steps_per_epoch) >= 1.0
        return self.epochs_done >= self.config.epochs

    def save(self, path: Path) -> None:
        _save_atomic({"model": self.net.state_dict(), "ema": self.ema.state_dict(),
                      "optimiser": self.optimiser.state_dict(), "history": self.history, "epochs_done": self.epochs_done,
                      "steps": self.steps, "seconds": self.seconds, "config": asdict(self.config)}, path)


def _stream_seed(config: TrainConfig, epoch: int) -> int:
    """A seed per (run seed, rank, epoch), so a resumed epoch sees the same data and ranks differ."""
    rank = int(os.environ.get("RANK", "0"))
    return (config.seed * 1_000_003 + rank * 10_007 + epoch) % (2**31)


def _epoch_order(n: int, config: TrainConfig, epoch: int, device: torch.device,
                 repeated: torch.Tensor | None = None) -> torch.Tensor:
    """Every photo once, plus ``repeated``'s ``config.hard_negatives - 1`` more times, shuffled."""
    g = torch.Generator().manual_seed(_stream_seed(config, epoch))
    pool = torch.arange(n)
    if repeated is not None and config.hard_negatives > 1:
        pool = torch.cat([pool, repeated.cpu().repeat(config.hard_negatives - 1)])
    return pool[torch.randperm(len(pool), generator=g)].to(device)


def _augment_stream(config: TrainConfig, epoch: int, device: torch.device) -> torch.Generator:
    return torch.Generator(device=device).manual_seed(_stream_seed(config, epoch) + 1)


def _resumed_config(config: TrainConfig, state: dict, epochs: int | None, minutes: float | None) -> TrainConfig:
    """A resumed run keeps what it started with; where it writes, how it runs and how long may change.
    A length in epochs alone puts a timed run on an epoch schedule (a run moved from a GPU to a CPU
    would not get far on the GPU's minutes); the schedule goes on from where the run is."""
    saved = TrainConfig(**state["config"])
    if minutes is None and not epochs:
        minutes = saved.minutes
    return TrainConfig(**{**asdict(saved), "out": config.out, "threads": config.threads, "device": config.device,
                          "max_steps": config.max_steps, "epochs": epochs or saved.epochs, "minutes": minutes,
                          "data": config.data or saved.data})


def _resume_state(config: TrainConfig, epochs: int | None, minutes: float | None) -> tuple[dict, TrainConfig]:
    ckpt = Path(config.out) / CHECKPOINT
    if not ckpt.exists():
        raise DataError(f"--resume: no {CHECKPOINT} in {config.out}")
    state = torch.load(ckpt, map_location="cpu", weights_only=False)
    if "ema" not in state:
        raise DataError(f"{ckpt} was written by an older `hairtint train`; start a new run")
    return state, _resumed_config(config, state, epochs, minutes)


@dataclass
class Photos:
    """What a run trains on: the photos, the hard negatives among them (or None), and an epoch's steps."""

    train: PhotoSet
    val: PhotoSet
    hard: torch.Tensor | None
    steps_per_epoch: int


def _photos(config: TrainConfig, device: torch.device, progress: bool) -> Photos:
    data = [Path(d) for d in config.data]
    train_photos = load_photos(data, "train", config.source, progress).to(device)
    val_photos = load_photos(data, "val", config.source, progress).to(device)
    if config.distill > 0 and train_photos.masks.shape[1] < 2:
        raise DataError("--distill needs a pack made with --pack-teacher (it holds no teacher's probabilities)")
    hard = hard_photos(train_photos) if config.hard_negatives > 1 else None
    if hard is not None:
        log.info("%d of %d training photos are hard negatives, each seen %d times an epoch", len(hard),
                 len(train_photos), config.hard_negatives)
    seen = len(train_photos) + (0 if hard is None else len(hard) * (config.hard_negatives - 1))
    steps_per_epoch = seen // config.batch_size
    if steps_per_epoch == 0:
        raise DataError(f"only {len(train_photos)} training photos: fewer than one batch of {config.batch_size}")
    return Photos(train_photos, val_photos, hard, steps_per_epoch)


def _train_epoch(run: Run, photos: Photos, autocast, progress: bool) -> list[torch.Tensor]:
    """One epoch's steps (fewer where the run finishes inside it); returns the steps' losses."""
    config, steps_per_epoch = run.config, photos.steps_per_epoch
    started, base, losses = time.monotonic(), run.seconds, []
    order = _epoch_order(len(photos.train), config, run.epochs_done, run.device, photos.hard)
    stream = _augment_stream(config, run.epochs_done, run.device)
    bar = tqdm(range(steps_per_epoch), desc=f"epoch {run.epochs_done + 1}", unit="batch", disable=not progress)
    for step in bar:
        index = order[step * config.batch_size : (step + 1) * config.batch_size]
        x, y = augmented_batch(photos.train, index, config.size, stream, camera_faults=config.augment == "full")
        for group in run.optimiser.param_groups:
            group["lr"] = group.get("scale", 1.0) * learning_rate(config.lr, run.progress(steps_per_epoch))
        with autocast:
            logits = run.net(x)
        loss = training_loss(logits.float(), y, config)
        run.optimiser.zero_grad(set_to_none=True)
        loss.backward()
        run.optimiser.step()
        run.averager.update(config.ema if run.steps >= 100 else 0.0)
        run.steps += 1
        run.seconds = base + time.monotonic() - started
        losses.append(loss.detach())
        if step % 20 == 0:
            bar.set_postfix(loss=f"{float(torch.stack(losses[-20:]).mean()):.3f}")
        if run.finished(steps_per_epoch):
            break
    return losses


def train(config: TrainConfig, resume: bool = False, progress: bool = True, epochs: int | None = None,
          minutes: float | None = None) -> Path:
    """Train (or resume) into ``config.out``; returns the checkpoint path. On resume, ``epochs`` or
    ``minutes`` (if given) lengthen or shorten the run; the schedule stretches from where it is."""
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    device = _pick_device(config.device)
    torch.set_num_threads(config.threads)
    torch.backends.cudnn.benchmark = True  # fixed input sizes: let cuDNN pick its fastest kernels
    torch.manual_seed(config.seed)
    state, config = _resume_state(config, epochs, minutes) if resume else (None, config)
    photos = _photos(config, device, progress)

    run = Run(config, device, state)
    log.info("%s: %d parameters, %d train / %d val photos, %s", config.arch, count_parameters(run.net),
             len(photos.train), len(photos.val), device)
    autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.type == "cuda")

    run.net.train()
    while not run.finished(photos.steps_per_epoch):
        started = time.monotonic()
        losses = _train_epoch(run, photos, autocast, progress)
        run.epochs_done += 1
        seconds = time.monotonic() - started
        record = {"epoch": run.epochs_done, "loss": float(torch.stack(losses).mean()), "seconds": round(seconds, 2),
                  "images_per_s": round(len(losses) * config.batch_size / seconds, 1),
                  "lr": round(run.optimiser.param_groups[0]["lr"], 6)}
        validating = run.finished(photos.steps_per_epoch) or run.epochs_done % config.val_every == 0
        if validating:
            with autocast:
                record["val"] = validate(run.ema, photos.val, config.size)
        run.history.append(record)
        log.info("epoch %d: %s", run.epochs_done, json.dumps(record))
        run.save(out / CHECKPOINT)
        (out / HISTORY).write_text(json.dumps(run.history, indent=1))
        if validating:
            plot_history(run.history, out / "training_curve.png")
    return out / CHECKPOINT


def load_trained(checkpoint: Path) -> tuple[torch.nn.Module, dict]:
    """The averaged (EMA) weights of a checkpoint, ready to export, and the checkpoint itself."""
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    net = build(state["config"].get("arch", "hairnet"))
    net.load_state_dict(state.get("ema", state["model"]))
    return net.eval(), state
