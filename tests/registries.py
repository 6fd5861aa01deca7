"""Temporary model registries for tests, so they never depend on what the shipped registry holds: the
shipped stable model's file, registered as a stable model and (the same file again) as an experimental
one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from core.catalog.registry import Registry, file_sha256

STABLE_ID = "hairnet"
EXPERIMENTAL_ID = "hairnet-exp"


def registry_with_experimental(folder: Path, experimental_id: str = EXPERIMENTAL_ID) -> Path:
    """A registry file in ``folder`` with a stable default ``hairnet`` and an experimental model."""
    shipped = Registry.load().resolve(None)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(shipped.file, folder / "model.tflite")
    common = {"file": "model.tflite", "sha256": file_sha256(folder / "model.tflite"), "backend": "mediapipe",
              "input_size": list(shipped.input_size)}
    data = {"schema": 1, "default": STABLE_ID, "models": [
        {"id": STABLE_ID, "version": "1.0.0", "stage": "stable", **common},
        {"id": experimental_id, "version": "0.9.0", "stage": "experimental", **common},
    ]}
    path = folder / "model_registry.json"
    path.write_text(json.dumps(data))
    return path
