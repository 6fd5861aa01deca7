"""The build step pyproject.toml cannot express: ship the model registry inside the ``core`` package.

``model_registry.json`` lives once, at the top of the source tree, with model files named relative to
it (``core/models/...``). A wheel has no such top level, so the build writes a copy into ``core/`` with
the same entries and each ``file`` made relative to ``core/``; ``core.catalog.registry_file`` finds whichever
of the two is there."""

import json
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithRegistry(build_py):
    def run(self):
        super().run()
        data = json.loads((ROOT / "model_registry.json").read_text(encoding="utf-8"))
        for entry in data.get("models", []):
            file = Path(entry["file"])
            if file.parts[:1] == ("core",):
                entry["file"] = Path(*file.parts[1:]).as_posix()
        target = Path(self.build_lib) / "core" / "model_registry.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


setup(cmdclass={"build_py": BuildWithRegistry})
