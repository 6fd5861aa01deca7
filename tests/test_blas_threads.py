"""The app keeps numpy's OpenBLAS to one thread (hairtint_desktop/__init__.py): its idle worker thread
spun on the second core between the pipeline's small matrix products."""

import os
import subprocess
import sys

COUNT_THREADS = "import numpy, os; numpy.ones((64, 3)) @ numpy.ones((3, 3)); print(len(os.listdir('/proc/self/task')))"


def _threads(prelude: str, env: dict) -> int:
    done = subprocess.run([sys.executable, "-c", prelude + COUNT_THREADS], capture_output=True, text=True,
                          env=env, timeout=120, check=True)
    return int(done.stdout.split()[-1])


def test_importing_the_app_first_leaves_numpy_one_blas_thread():
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env["OPENBLAS_NUM_THREADS"] = "2"  # what numpy would start on two cores, whatever this machine has
    assert _threads("", env) > _threads("", {**env, "OPENBLAS_NUM_THREADS": "1"})  # the count can tell
    del env["OPENBLAS_NUM_THREADS"]
    alone = _threads("", {**env, "OPENBLAS_NUM_THREADS": "1"})
    assert _threads("import hairtint_desktop; ", env) == alone


def test_a_setting_of_the_users_own_is_kept():
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env["OPENBLAS_NUM_THREADS"] = "2"
    assert _threads("import hairtint_desktop; ", env) == _threads("", env)
