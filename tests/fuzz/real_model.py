"""The real model and stages for the fuzz tests, each loaded once for the whole run rather than once an
example: ``recolor`` gets the real still pipeline, ``eval`` the real segmenter (verified and loaded as
``core.pipeline.engine.open_segmenter`` does it) and the real refine stage. Patch them in with ``use_real_models``."""

from __future__ import annotations

import functools

from core.frames import RunningMode
from core.pipeline.engine import PipelineOptions, build_pipeline, build_refiner, open_segmenter


class Kept:
    """A real model or stage loaded once, with close() left to the end of the session."""

    def __init__(self, load):
        self._load = load

    def __getattr__(self, name):
        return getattr(self._load(), name)

    def close(self):
        pass


@functools.lru_cache(maxsize=1)
def _still_pipeline():
    return build_pipeline(PipelineOptions(running_mode=RunningMode.IMAGE))


_entries = {}


@functools.cache
def _segmenter(key):
    return open_segmenter(_entries[key], RunningMode.IMAGE)  # the real one (the module's name is patched)


@functools.lru_cache(maxsize=1)
def _refiner():
    return build_refiner(RunningMode.IMAGE)


def _kept_segmenter(entry, mode):
    key = (str(entry.file), entry.version, entry.backend, entry.sha256)
    _entries.setdefault(key, entry)
    return Kept(lambda: _segmenter(key))


def use_real_models(monkeypatch) -> None:
    """Every pipeline, segmenter and refine stage the commands build: the real ones, loaded once."""
    _still_pipeline()  # built before the patches, from the real parts
    monkeypatch.setattr("core.tryon.session.Session.build_pipeline", lambda self, *args, **kw: Kept(_still_pipeline))
    monkeypatch.setattr("core.pipeline.engine.open_segmenter", _kept_segmenter)
    monkeypatch.setattr("core.pipeline.engine.build_refiner", lambda *args, **kw: Kept(_refiner))
