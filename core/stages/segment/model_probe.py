"""The first load of a model file happens in a child process: MediaPipe crashes the whole process (a
segmentation fault, no exception) on some damaged model files, and under the kiosk unit's
``Restart=always`` that would be a restart loop. The child creates the segmenter from the file and
segments one small frame; only when it comes back cleanly is the file loaded here. The verdict is kept
per checksum for the life of the process, so each file is probed once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

from core.errors import HairTintError, ModelError
from core.frames import Frame, RunningMode

#: How long the child may take to import MediaPipe, load the model and segment one frame.
PROBE_TIMEOUT_S = 120.0
_ROOT = Path(__file__).resolve().parents[3]
_verdicts: dict[str, str | None] = {}  # sha256 -> None (loads) or why it does not
_lock = threading.Lock()

_CHILD = "import sys; from core.stages.segment.model_probe import child_main; sys.exit(child_main(sys.argv[1]))"


def child_main(path: str) -> int:
    """What the child runs (``hairtint --probe-model FILE`` in a bundle): 0 when the model loads and
    segments a frame, 3 with the reason on stderr when it is refused; a crash ends it by a signal."""
    from core.stages.segment.mediapipe_backend import MediaPipeSegmenter  # lazy: MediaPipe, in the child only

    try:
        segmenter = MediaPipeSegmenter(Path(path), mode=RunningMode.IMAGE)
        mask = segmenter.segment(Frame(np.full((64, 64, 3), 128, np.uint8), 0, 0, "probe"))
        if mask.ndim != 2 or not np.isfinite(mask).all():
            raise HairTintError(f"{Path(path).name} does not give a mask")
    except HairTintError as exc:
        print(exc, file=sys.stderr)
        return 3
    return 0


def probe(path: Path, sha256: str, timeout_s: float = PROBE_TIMEOUT_S) -> None:
    """Raise ModelError unless the MediaPipe model at ``path`` (whose checksum is ``sha256``) loads and
    segments a frame in a child process. Probed once per checksum per process."""
    with _lock:
        if sha256 in _verdicts:
            verdict = _verdicts[sha256]
        else:
            verdict = _verdicts[sha256] = _run_child(Path(path), timeout_s)
    if verdict is not None:
        raise ModelError(verdict)


def probed(sha256: str) -> bool:
    return sha256 in _verdicts


def forget() -> None:
    """Forget every verdict (for tests)."""
    with _lock:
        _verdicts.clear()


def _run_child(path: Path, timeout_s: float) -> str | None:
    if getattr(sys, "frozen", False):  # a bundle has no `python -c`; its own executable probes
        command = [sys.executable, "--probe-model", str(path)]
    else:
        command = [sys.executable, "-c", _CHILD, str(path)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")])))
    try:
        done = subprocess.run(command, env=env, input=b"", capture_output=True,
                              timeout=timeout_s, cwd=str(_ROOT))
    except subprocess.TimeoutExpired:
        return f"MediaPipe did not load {path.name} within {timeout_s:g} s; the file may be damaged"
    except OSError as exc:
        return f"the model {path.name} could not be tried in a separate process ({exc.strerror or exc})"
    if done.returncode == 0:
        return None
    if done.returncode < 0:
        try:
            name = signal.Signals(-done.returncode).name
        except ValueError:
            name = f"signal {-done.returncode}"
        return (f"MediaPipe crashed ({name}) loading {path.name}: the file is damaged; "
                "restore it, or choose another model")
    said = done.stderr.decode("utf-8", "replace").strip().splitlines()
    return said[-1] if said and done.returncode == 3 else (
        f"MediaPipe could not load {path.name} (exit {done.returncode}): {said[-1] if said else 'no message'}")


__all__ = ["PROBE_TIMEOUT_S", "child_main", "forget", "probe", "probed"]
