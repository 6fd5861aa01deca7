"""What the registry lists for one model (:class:`ModelEntry`): its name, version, file and checksum, and
the checks of its file. Below both the registry and the rollout, which hands entries out."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import ModelError
from core.io.model_file import MAX_MODEL_BYTES, ModelInfo
from core.io.small_files import FileProblem, regular_size


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

    @property
    def verified(self) -> bool:
        """Whether the file is checked against a checksum (a model named by path only when
        :func:`with_checksum` found one for it)."""
        return self.sha256 is not None

    def verify(self) -> None:
        """Raise ModelError unless the file is a regular file of a sane size that matches its recorded
        checksum (a registered entry without one is refused; a model named by path may have none)."""
        check_model_file(self.file, f"model file {self.file.name} for '{self.id}'")
        if self.registered and self.sha256 is None:
            raise ModelError(f"the registry entry '{self.id}@{self.version}' has no sha256, so its file "
                             f"{self.file.name} cannot be checked; add its checksum to the registry")
        if self.sha256 is not None and file_sha256(self.file) != self.sha256:
            where = self.details.get("checksum_from", "the registry")
            raise ModelError(
                f"model file {self.file.name} does not match its checksum in {where}: "
                "it was changed or damaged; restore it or retrain and re-register it"
            )


def check_model_file(path: Path, what: str) -> None:
    """ModelError unless ``path`` is a regular file of at most MAX_MODEL_BYTES (checked before reading)."""
    try:
        regular_size(Path(path), MAX_MODEL_BYTES)
    except FileProblem as exc:
        if exc.missing:
            raise ModelError(f"{what} is missing (expected at {path})") from None
        raise ModelError(f"{what} cannot be used: {exc}") from None
