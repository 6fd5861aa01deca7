"""Small labelled sets for tests, in the data sets' own layout (``images/<stem>``, ``masks/<stem>.png``
with 0/255, split files of stems), drawn by the synthetic portrait renderer."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from core.demo.synthetic import render_portrait


def labelled_set(root: Path, count: int, size: tuple[int, int] = (160, 120), splits: dict[str, list[int]] | None = None,
                 suffix: str = ".jpg", step: float = 0.3) -> Path:
    """``count`` portraits ``s0``, ``s1``, … of ``size`` (width, height) under ``root``; ``splits`` maps a
    split file's name (``"train.txt"``) to the indices it lists (default: every photo in ``val.txt``)."""
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    for i in range(count):
        rgb, mask = render_portrait(*size, t=i * step, seed=i)
        cv2.imwrite(str(root / "images" / f"s{i}{suffix}"), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        cv2.imwrite(str(root / "masks" / f"s{i}.png"), mask.astype(np.uint8) * 255)
    for name, indices in (splits or {"val.txt": list(range(count))}).items():
        (root / name).write_text("\n".join(f"s{i}" for i in indices) + "\n")
    return root
