"""Where the model registry is: ``model_registry.json`` at the top of a source tree (or an editable
install), else the copy the build put inside the ``core`` package (an installed wheel; see setup.py)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

NAME = "model_registry.json"
SOURCE_TREE = Path(__file__).resolve().parents[2]


def registry_path(source_tree: Path = SOURCE_TREE) -> Path:
    """The registry file to read: the source tree's when there is one, else the packaged copy."""
    beside = source_tree / NAME
    if beside.is_file():
        return beside
    return Path(str(resources.files("core").joinpath(NAME)))


__all__ = ["registry_path"]
