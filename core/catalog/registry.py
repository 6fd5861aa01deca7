"""The model registry (``model_registry.json``): which models exist, where their files are, their
checksums, what they were trained on and how well they do. Loading a model verifies its sha256.

Experimental models reach an installation only through the rollout stage (see :mod:`core.catalog.rollout`:
each installation falls in a fixed bucket per model, so a growing stage only ever adds installations)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import ModelError
from core.catalog.rollout import Stage, assign, in_rollout, rollout_bucket
from core.stages.segment.inspect import ModelInfo, inspect_tflite

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REGISTRY = REPO_ROOT / "model_registry.json"
STAGES = ("stable", "experimental")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class ModelEntry:
    id: str
    version: str
    file: Path
    sha256: str | None
    backend: str = "mediapipe"  # or "opencv-dnn"
    stage: str = "stable"
    input_size: tuple[int, int] | None = None
    registered: bool = True
    details: dict = field(default_factory=dict, compare=False)

    @property
    def info(self) -> ModelInfo:
        return ModelInfo(id=self.id, version=self.version, stage=self.stage, path=str(self.file))

    def verify(self) -> None:
        """Raise ModelError unless the file exists and matches its recorded checksum."""
        if not self.file.exists():
            raise ModelError(f"model file {self.file.name} for '{self.id}' is missing (expected at {self.file})")
        if self.sha256 is not None and file_sha256(self.file) != self.sha256:
            raise ModelError(
                f"model file {self.file.name} does not match its checksum in the registry: "
                "it was changed or damaged; restore it or retrain and re-register it"
            )


class Registry:
    def __init__(self, entries: list[ModelEntry], default: str, path: Path | None = None):
        self.entries, self.default, self.path = entries, default, path

    @classmethod
    def load(cls, path: Path = DEFAULT_REGISTRY) -> "Registry":
        path = Path(path)
        data = _read_json(path, f"cannot read the model registry {path}")
        entries = []
        for raw in data.get("models", []):
            try:
                stage = raw.get("stage", "stable")
                if stage not in STAGES:
                    raise ValueError(f"stage must be one of {STAGES}")
                entries.append(ModelEntry(
                    id=raw["id"], version=str(raw["version"]), file=(path.parent / raw["file"]).resolve(),
                    sha256=raw["sha256"], backend=raw.get("backend", "mediapipe"), stage=stage,
                    input_size=tuple(raw["input_size"]) if raw.get("input_size") else None, details=raw,
                ))
            except (KeyError, TypeError, ValueError) as exc:
                raise ModelError(f"model registry {path}: entry {raw.get('id', '?')!r} is incomplete ({exc})") from exc
        default = data.get("default") or next((e.id for e in entries if e.stage == "stable"), None)
        if default is None:
            raise ModelError(f"model registry {path} names no stable model")
        return cls(entries, default, path)

    def get(self, model_id: str) -> ModelEntry:
        """An entry by ``id`` (newest version) or ``id@version``."""
        wanted_id, _, wanted_version = model_id.partition("@")
        matches = [e for e in self.entries if e.id == wanted_id and (not wanted_version or e.version == wanted_version)]
        if not matches:
            known = ", ".join(f"{e.id}@{e.version}" for e in self.entries) or "none"
            raise ModelError(f"no model '{model_id}' in the registry (known: {known})")
        return max(matches, key=lambda e: tuple(int(p) if p.isdigit() else 0 for p in e.version.split(".")))

    def resolve(self, ref: str | None = None) -> ModelEntry:
        """A registry id, ``id@version``, or a path to a model file (used unregistered, e.g. for
        comparison). None means the default stable model."""
        if ref is None:
            return self.get(self.default)
        if any(e.id == ref.partition("@")[0] for e in self.entries):
            return self.get(ref)
        path = Path(ref)
        if path.suffix == ".tflite" or path.exists():
            if not path.exists():
                raise ModelError(f"model file {path} does not exist")
            facts = inspect_tflite(path)
            return ModelEntry(
                id=path.stem, version="unregistered", file=path.resolve(), sha256=None,
                backend="opencv-dnn" if facts.channels == 4 else "mediapipe",
                stage="experimental", input_size=facts.input_size, registered=False,
            )
        return self.get(ref)

    def choose(self, requested: str | None, rollout_stage: str, install_id: str) -> ModelEntry:
        """The model this installation runs: the one asked for, else an experimental model whose
        rollout includes this installation, else the default stable model (see ``core.catalog.rollout.assign``)."""
        return assign(self, install_id=install_id, stage=Stage(rollout_stage), requested=requested).entry

    def stable(self) -> list[ModelEntry]:
        return [e for e in self.entries if e.stage == "stable"]


def add_model(run_dir: Path, registry_path: Path = DEFAULT_REGISTRY, *, stage: str | None = None,
              version: str | None = None) -> ModelEntry:
    """Register the model a ``hairtint train`` run wrote: ``run_dir/model_card.json`` (an entry in this
    registry's schema) and the .tflite it names. The file is checked (checksum, segmenter metadata) and
    copied next to the registry's other models as ``<id>-<version>.tflite``; the registry file is
    rewritten in one step, so a failure leaves it as it was. ``stage`` and ``version`` override the
    card's (a new model is ``experimental`` unless told otherwise)."""
    run_dir, registry_path = Path(run_dir), Path(registry_path)
    card_path = run_dir / "model_card.json"
    card = _read_json(card_path, f"no model card in {run_dir} (run `hairtint train --out {run_dir}` first)")
    entry = dict(card)
    entry["version"] = str(version or card.get("version") or "0.1.0")
    entry["stage"] = stage or card.get("stage") or "experimental"
    if entry["stage"] not in STAGES:
        raise ModelError(f"stage must be one of {', '.join(STAGES)}, got {entry['stage']!r}")
    for key in ("id", "file", "sha256", "input_size"):
        if not entry.get(key):
            raise ModelError(f"{card_path} has no {key!r}: is it from `hairtint train`?")
    source = run_dir / entry["file"]
    if not source.exists():
        raise ModelError(f"the model card names {entry['file']}, which is not in {run_dir}")
    if file_sha256(source) != entry["sha256"]:
        raise ModelError(f"{source.name} does not match the checksum in its model card: it changed after training")
    if not inspect_tflite(source).has_metadata:
        raise ModelError(f"{source.name} has no segmenter metadata; MediaPipe cannot run it")

    data = _read_json(registry_path, f"cannot read the model registry {registry_path}")
    taken = {(m.get("id"), str(m.get("version"))) for m in data.get("models", [])}
    if (entry["id"], entry["version"]) in taken:
        raise ModelError(f"{entry['id']}@{entry['version']} is already registered: give it another --version")
    models_dir = registry_path.parent / "core" / "models"
    target = models_dir / f"{entry['id']}-{entry['version']}.tflite"
    if target.exists() and file_sha256(target) != entry["sha256"]:
        raise ModelError(f"{target} already exists with other contents")
    entry["file"] = target.relative_to(registry_path.parent).as_posix()
    models_dir.mkdir(parents=True, exist_ok=True)
    copied = not target.exists()
    if copied:
        shutil.copyfile(source, target)
    data.setdefault("models", []).append(entry)
    try:
        _write_atomically(registry_path, json.dumps(data, indent=2) + "\n")
    except BaseException:
        if copied:
            target.unlink(missing_ok=True)
        raise
    return Registry.load(registry_path).get(f"{entry['id']}@{entry['version']}")


def _read_json(path: Path, cannot_read: str) -> dict:
    """A JSON file's contents; ModelError with ``cannot_read`` (and why) when it is missing or broken."""
    try:
        return json.loads(Path(path).read_text())
    except OSError as exc:
        raise ModelError(f"{cannot_read}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise ModelError(f"{path} is not valid JSON (line {exc.lineno}): {exc.msg}") from exc


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


__all__ = ["ModelEntry", "Registry", "add_model", "file_sha256", "in_rollout", "rollout_bucket", "STAGES"]
