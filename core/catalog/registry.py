"""The model registry (``model_registry.json``): which models exist, where their files are, their
checksums, what they were trained on and how well they do. Loading a model verifies its sha256.

Experimental models reach an installation only through the rollout stage (see :mod:`core.catalog.rollout`:
each installation falls in a fixed bucket per model, so a growing stage only ever adds installations)."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from core.catalog import registry_file
from core.catalog.model_entry import ModelEntry, check_model_file, file_sha256
from core.catalog.rollout import Stage, assign, in_rollout, rollout_bucket
from core.errors import ModelError
from core.io.model_file import inspect_tflite
from core.io.small_files import FileProblem, read_bytes, read_json

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REGISTRY = REPO_ROOT / "model_registry.json"
STAGES = ("stable", "experimental")
MAX_REGISTRY_BYTES = 1 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")
CHECKSUM_SUFFIX = ".sha256"  # beside a model named by path: its checksum, as `sha256sum FILE > FILE.sha256` writes it


class Registry:
    def __init__(self, entries: list[ModelEntry], default: str, path: Path | None = None):
        self.entries, self.default, self.path = entries, default, path

    @classmethod
    def load(cls, path: Path | None = None) -> Registry:
        """The registry at ``path``; by default the one :func:`core.catalog.registry_file.registry_path`
        finds (the source tree's, or the copy an installed wheel carries)."""
        path = registry_file.registry_path() if path is None else Path(path)
        data = _read_json(path, f"cannot read the model registry {path}")
        if not isinstance(data, dict):
            raise ModelError(f"model registry {path}: expected a JSON object with a \"models\" list, got "
                             f"{type(data).__name__}; restore the file from the installation")
        models = data.get("models", [])
        if not isinstance(models, list):
            raise ModelError(f"model registry {path}: key \"models\" must be a list of entries, got "
                             f"{type(models).__name__}; restore the file from the installation")
        entries = [_entry(path, index, raw) for index, raw in enumerate(models)]
        if data.get("default") is not None and not isinstance(data["default"], str):
            raise ModelError(f"model registry {path}: key \"default\" must be a model id, got {data['default']!r}")
        default = data.get("default") or next((e.id for e in entries if e.stage == "stable"), None)
        if default is None:
            raise ModelError(f"model registry {path} names no stable model")
        return cls(entries, default, path)

    def get(self, model_id: str) -> ModelEntry:
        """An entry by ``id@version``, or by ``id``: its newest stable version (its newest version when it
        has no stable one), so a newer experimental version reaches an installation only through the
        rollout or by naming it."""
        wanted_id, _, wanted_version = model_id.partition("@")
        matches = [e for e in self.entries if e.id == wanted_id and (not wanted_version or e.version == wanted_version)]
        if not matches:
            known = ", ".join(f"{e.id}@{e.version}" for e in self.entries) or "none"
            raise ModelError(f"no model '{model_id}' in the registry (known: {known})")
        matches = [e for e in matches if e.stage == "stable"] or matches
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
            check_model_file(path, f"model file {path}")
            facts = inspect_tflite(path)
            if not facts.has_metadata and facts.channels != 4:
                raise ModelError(f"{path.name} has no segmenter metadata; MediaPipe cannot run it")
            return ModelEntry(
                id=path.stem, version="unverified", file=path.resolve(), sha256=None,
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

    def fallbacks(self) -> list[ModelEntry]:
        """The stable models, in the order to try them when the one chosen cannot run: the default's
        versions newest first, then the other stable models, newest first."""
        return sorted(self.stable(), key=lambda e: (e.id != self.default, e.id, _newest_first(e.version)))

    def with_checksum(self, entry: ModelEntry) -> ModelEntry:
        """A model named by path with the checksum its file must match: its own when the registry holds
        a model with the same checksum (a copy of a registered model), else the one in ``FILE.sha256``
        beside it. ModelError when it has neither (or that file is unreadable): it cannot be verified."""
        if entry.registered:
            return entry
        digest = file_sha256(entry.file)
        if any(e.sha256 == digest for e in self.entries):
            return replace(entry, sha256=digest, version=f"sha256:{digest[:8]}",
                           details={"checksum_from": "the registry"})
        beside = entry.file.with_name(entry.file.name + CHECKSUM_SUFFIX)
        try:
            text = read_bytes(beside, 4096).decode("ascii", "replace")
        except FileProblem as exc:
            if not exc.missing:
                raise ModelError(f"the checksum file {beside} cannot be used: {exc}") from None
            raise ModelError(
                f"{entry.file} is named by path and cannot be verified: no registered model has its checksum "
                f"and there is no {beside.name} beside it; register it (`hairtint models add`), write its "
                f"checksum (`sha256sum {entry.file.name} > {beside.name}`), or pass --trust-unverified") from None
        expected = (text.split() or [""])[0].lower()
        if not _SHA256.fullmatch(expected):
            raise ModelError(f"the checksum file {beside} does not start with 64 hex digits (as `sha256sum` writes)")
        return replace(entry, sha256=expected, version=f"sha256:{expected[:8]}", details={"checksum_from": beside.name})


@dataclass(frozen=True)
class NewModel:
    """A trained run's model, checked and not yet registered: its registry entry (``file`` still the
    run's), the run's file, and where ``register`` will copy it."""

    entry: dict
    source: Path
    target: Path
    registry_path: Path

    @property
    def name(self) -> str:
        return f"{self.entry['id']}@{self.entry['version']}"

    def model(self) -> ModelEntry:
        """The run's file as an unregistered entry (checked against the card's checksum), to measure it."""
        size = self.entry["input_size"]
        return ModelEntry(id=self.entry["id"], version=self.entry["version"], file=self.source.resolve(),
                          sha256=self.entry["sha256"], backend="mediapipe", stage=self.entry["stage"],
                          input_size=(size[0], size[1]), registered=False)


def check_new_model(run_dir: Path, registry_path: Path = DEFAULT_REGISTRY, *, stage: str | None = None,
                    version: str | None = None) -> NewModel:
    """Check the model a ``hairtint train`` run wrote (``run_dir/model_card.json``, an entry in this
    registry's schema, and the .tflite it names: checksum, segmenter metadata) against the registry,
    writing nothing. ``stage`` and ``version`` override the card's (a new model is ``experimental``
    unless told otherwise). An id and version already registered is refused: a registered model is
    never replaced."""
    run_dir, registry_path = Path(run_dir), Path(registry_path)
    card_path = run_dir / "model_card.json"
    card = _read_json(card_path, f"no model card in {run_dir} (run `hairtint train --out {run_dir}` first)")
    if not isinstance(card, dict):
        raise ModelError(f"{card_path} is not a model card (a JSON object): is it from `hairtint train`?")
    entry = dict(card)
    entry["version"] = str(version or card.get("version") or "0.1.0")
    entry["stage"] = stage or card.get("stage") or "experimental"
    if entry["stage"] not in STAGES:
        raise ModelError(f"stage must be one of {', '.join(STAGES)}, got {entry['stage']!r}")
    for key in ("id", "file", "sha256", "input_size"):
        if not entry.get(key):
            raise ModelError(f"{card_path} has no {key!r}: is it from `hairtint train`?")
    size = entry["input_size"]
    if not isinstance(size, list) or len(size) != 2 or not all(type(v) is int and v > 0 for v in size):
        raise ModelError(f"{card_path}: 'input_size' must be [width, height], got {size!r}")
    source = run_dir / entry["file"]
    if not source.exists():
        raise ModelError(f"the model card names {entry['file']}, which is not in {run_dir}")
    if file_sha256(source) != entry["sha256"]:
        raise ModelError(f"{source.name} does not match the checksum in its model card: it changed after training")
    if not inspect_tflite(source).has_metadata:
        raise ModelError(f"{source.name} has no segmenter metadata; MediaPipe cannot run it")
    _check_free(_registry_data(registry_path), entry, registry_path)
    target = registry_path.parent / "core" / "models" / f"{entry['id']}-{entry['version']}.tflite"
    if target.exists() and file_sha256(target) != entry["sha256"]:
        raise ModelError(f"{target} already exists with other contents; nothing was registered")
    return NewModel(entry, source, target, registry_path)


def register(new: NewModel) -> ModelEntry:
    """Copy the checked model next to the registry's other models as ``<id>-<version>.tflite`` and add
    its entry; the registry file is rewritten in one step, and a failure leaves it and ``core/models``
    as they were."""
    data = _registry_data(new.registry_path)
    _check_free(data, new.entry, new.registry_path)  # the registry may have changed since the check
    entry = {**new.entry, "file": new.target.relative_to(new.registry_path.parent).as_posix()}
    new.target.parent.mkdir(parents=True, exist_ok=True)
    copied = not new.target.exists()
    if copied:
        shutil.copyfile(new.source, new.target)
    data.setdefault("models", []).append(entry)
    try:
        _write_atomically(new.registry_path, json.dumps(data, indent=2) + "\n")
    except BaseException:
        if copied:
            new.target.unlink(missing_ok=True)
        raise
    return Registry.load(new.registry_path).get(new.name)


def add_model(run_dir: Path, registry_path: Path = DEFAULT_REGISTRY, *, stage: str | None = None,
              version: str | None = None) -> ModelEntry:
    """Check and register a run's model in one go (no quality gate: ``hairtint models add`` adds that)."""
    return register(check_new_model(run_dir, registry_path, stage=stage, version=version))


def _registry_data(registry_path: Path) -> dict:
    data = _read_json(registry_path, f"cannot read the model registry {registry_path}")
    if not isinstance(data, dict) or not isinstance(data.get("models", []), list):
        raise ModelError(f"model registry {registry_path}: expected an object with a \"models\" list")
    return data


def _check_free(data: dict, entry: dict, registry_path: Path) -> None:
    """ModelError when ``entry``'s id and version is already in the registry: nothing is replaced."""
    for known in data.get("models", []):
        if isinstance(known, dict) and (known.get("id"), str(known.get("version"))) == (entry["id"], entry["version"]):
            raise ModelError(
                f"{entry['id']}@{entry['version']} is already registered (in {registry_path.name}, file "
                f"{known.get('file')}); a registered model is never replaced, so nothing was written: give this "
                "one another --version, or train it under another --name")


def _newest_first(version: str) -> tuple[int, ...]:
    return tuple(-int(p) if p.isdigit() else 0 for p in version.split("."))


def _entry(path: Path, index: int, raw) -> ModelEntry:  # noqa: C901  one check per key, each naming it
    """One registry entry, checked; ModelError names the file, the entry and the key."""
    where = f"model registry {path}: models[{index}]"
    if not isinstance(raw, dict):
        raise ModelError(f"{where} must be an object, got {type(raw).__name__}")
    model_id = raw.get("id")
    if isinstance(model_id, str) and model_id:
        where += f" ({model_id!r})"
    for key in ("id", "version", "file"):
        if not isinstance(raw.get(key), (str, int, float)) or isinstance(raw.get(key), bool) or raw[key] == "":
            raise ModelError(f"{where}: key {key!r} is missing or not text ({raw.get(key)!r})")
    if not isinstance(raw["id"], str) or not isinstance(raw["file"], str):
        raise ModelError(f"{where}: keys 'id' and 'file' must be text")
    sha256 = raw.get("sha256")
    if sha256 is None:
        raise ModelError(f"{where}: key 'sha256' is missing; every registered model needs its file's checksum "
                         "(`sha256sum FILE`), or it could be changed unnoticed")
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256.lower()):
        raise ModelError(f"{where}: key 'sha256' must be 64 hex digits, got {sha256!r}")
    stage = raw.get("stage", "stable")
    if stage not in STAGES:
        raise ModelError(f"{where}: key 'stage' must be one of {', '.join(STAGES)}, got {stage!r}")
    backend = raw.get("backend", "mediapipe")
    if backend not in ("mediapipe", "opencv-dnn"):
        raise ModelError(f"{where}: key 'backend' must be mediapipe or opencv-dnn, got {backend!r}")
    size = raw.get("input_size")
    if size is not None and (not isinstance(size, list) or len(size) != 2
                             or not all(isinstance(v, int) and not isinstance(v, bool) and 0 < v < 1 << 16 for v in size)):
        raise ModelError(f"{where}: key 'input_size' must be [width, height], got {size!r}")
    try:
        file = (path.parent / raw["file"]).resolve()
    except (OSError, ValueError) as exc:
        raise ModelError(f"{where}: key 'file' is not a usable path ({exc})") from None
    return ModelEntry(id=raw["id"], version=str(raw["version"]), file=file, sha256=sha256.lower(),
                      backend=backend, stage=stage, input_size=tuple(size) if size else None, details=raw)


def _read_json(path: Path, cannot_read: str) -> dict:
    """A JSON file's contents; ModelError with ``cannot_read`` (and why) when it is missing or broken."""
    try:
        return read_json(Path(path), MAX_REGISTRY_BYTES)
    except FileProblem as exc:
        raise ModelError(f"{cannot_read}: {exc}") from None


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


__all__ = ["CHECKSUM_SUFFIX", "STAGES", "ModelEntry", "NewModel", "Registry", "add_model", "check_model_file", "check_new_model", "file_sha256", "in_rollout", "register", "rollout_bucket"]
