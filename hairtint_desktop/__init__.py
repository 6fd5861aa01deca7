"""HairTint's desktop and kiosk app (Qt). Imports point one way: hairtint_desktop -> core.

Importing it (the ``hairtint`` command, the app, the bundle) keeps numpy's OpenBLAS to one thread unless
``OPENBLAS_NUM_THREADS`` says otherwise. The pipeline's matrix products are small (a frame's pixels by
3, landmarks by 2), too small to share out, and OpenBLAS's idle worker spins waiting for the next one: on
2 cores it took about a quarter of the process's CPU time (``hairtint bench``, 300 frames at 640x480:
10.9 s of CPU with it, 7.9 s without, at the same frame rate). It must be set before numpy is imported."""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
