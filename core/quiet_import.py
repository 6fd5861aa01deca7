"""MediaPipe, imported without its side effects on the machine.

``import mediapipe`` also imports two things HairTint never uses: its drawing helpers, which import
matplotlib (that writes a font cache and a config folder under the home folder and runs ``fc-list``),
and its audio tasks, which import ``sounddevice`` (that probes for PortAudio by running ``ldconfig``,
``ld`` and ``gcc`` with temporary files). :func:`import_mediapipe` imports MediaPipe with both held
back: matplotlib stands in as a placeholder that imports the real one only if it is ever used, and
``sounddevice`` reads as absent, which MediaPipe's audio module already allows for. The placeholders
are removed as soon as MediaPipe is in, so anything importing matplotlib later gets the real one."""

from __future__ import annotations

import importlib
import sys
import types


class _Later(types.ModuleType):
    """A module that imports the real one the first time any attribute is asked for."""

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        real = importlib.import_module(self.__name__)
        return getattr(real, name)


def import_mediapipe():
    """``import mediapipe``, with matplotlib and sounddevice held back (see the module's notes)."""
    if "mediapipe" in sys.modules:
        return sys.modules["mediapipe"]
    held = {"sounddevice": None}
    if "matplotlib" not in sys.modules:
        plt = _Later("matplotlib.pyplot")
        mpl = _Later("matplotlib")
        mpl.pyplot = plt
        held.update({"matplotlib": mpl, "matplotlib.pyplot": plt})
    placed = [name for name in held if name not in sys.modules]
    for name in placed:
        sys.modules[name] = held[name]
    try:
        return importlib.import_module("mediapipe")
    finally:
        for name in placed:
            if sys.modules.get(name) is held[name]:
                del sys.modules[name]
