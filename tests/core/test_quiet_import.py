import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_mediapipe_comes_in_without_matplotlib_or_sounddevice_and_they_still_import_later():
    script = ("import sys\nfrom core.quiet_import import import_mediapipe\nmp = import_mediapipe()\n"
              "assert hasattr(mp, 'Image')\n"
              "assert 'matplotlib' not in sys.modules and 'sounddevice' not in sys.modules, sorted(sys.modules)\n"
              "from mediapipe.python.solutions import drawing_utils\n"
              "import matplotlib\nassert hasattr(matplotlib, '__version__')\n"
              "assert drawing_utils.plt.__name__ == 'matplotlib.pyplot'\nprint('ok')")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr[-2000:]
