"""``hairtint recolor`` survives what happens around a long batch (issue 10): a reader of its output that
goes away, a closed stdout, a terminal that shows ASCII only, and SIGTERM / SIGHUP mid-batch. Each case
runs the real command in a child process; the tests wait on files and the child's exit, never on time.
No case leaves a temporary or half-written file, and finished results stay whole."""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from core.io.images import load_image
from hairtint_desktop.cli import main
from hairtint_desktop.terminal import Terminated, stop_on_signals
from tests.conftest import FIXTURES, REPO

PORTRAIT = FIXTURES / "portrait_640x480.png"
SAFETY_S = 300  # only a safety net for a child that hangs: every wait below ends on an event


def _photos(folder: Path, names) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / name for name in names]
    for path in paths:
        path.write_bytes(PORTRAIT.read_bytes())
    return paths


def _env(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_CTYPE", "LANG", "PYTHONIOENCODING")}
    env.update(HAIRTINT_CONFIG=str(tmp_path / "config" / "settings.json"), PYTHONPATH=str(REPO), **extra)
    return env


def _command(*args) -> list:
    return [sys.executable, "-m", "hairtint_desktop.cli", "recolor", *map(os.fsdecode, args)]


def _leftovers(root: Path) -> list[str]:
    """Temporary or partial files anywhere under ``root``."""
    return sorted(str(p) for p in root.rglob("*") if p.name.endswith((".tmp", ".partial")) or ".hairtint-" in p.name)


def _result(photo: Path, out: Path) -> Path:
    return out / f"{photo.stem}_sunlit-amber_70{photo.suffix}"


def _assert_whole_result(path: Path) -> None:
    """``path`` decodes completely, at the photo's size, with its hair recoloured."""
    after, before = load_image(path), load_image(PORTRAIT)
    assert after.shape == before.shape and not np.array_equal(after, before)


class _Collect:
    """Reads a child's pipe to the end in a thread, so the child never waits on it."""

    def __init__(self, stream):
        self.data = b""
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream):
        self.data = stream.read()

    def text(self) -> str:
        self._thread.join(SAFETY_S)
        return self.data.decode("utf-8", "replace")


def _wait_for(condition, proc, what: str) -> None:
    """Check ``condition`` (a file appearing) between short waits on the child, until it holds; fail at
    once if the child ends first."""
    deadline = time.monotonic() + SAFETY_S
    while not condition():
        assert proc.poll() is None, f"the child ended (exit {proc.returncode}) before {what}"
        assert time.monotonic() < deadline, f"no {what} after {SAFETY_S} s"
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.02)  # returns at once if the child ends


def _full_pipe() -> tuple[int, int]:
    """A pipe already full: a child given its write end as stdout blocks at its first line, as behind a
    reader that stopped reading. Returns (read end, write end)."""
    read_end, write_end = os.pipe()
    try:
        import fcntl

        fcntl.fcntl(write_end, getattr(fcntl, "F_SETPIPE_SZ", 1031), 4096)
    except OSError:
        pass  # the default size; it only takes longer to fill
    os.set_blocking(write_end, False)
    try:
        while True:
            os.write(write_end, b"x" * 4096)
    except BlockingIOError:
        pass
    os.set_blocking(write_end, True)  # the flag is shared with the child's copy
    return read_end, write_end


@pytest.mark.slow
def test_recolor_into_a_closed_pipe_stops_with_141_and_keeps_what_is_done(tmp_path):
    photos = _photos(tmp_path / "in", ["a.png", "b.png", "c.png"])
    out = tmp_path / "out"
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone (`| head -c0`): the first line written meets a closed pipe
    try:
        done = subprocess.run(_command(tmp_path / "in", "-o", out), stdout=write_end, stderr=subprocess.PIPE,
                              cwd=REPO, env=_env(tmp_path), timeout=SAFETY_S)
    finally:
        os.close(write_end)
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 141, err
    assert "Traceback" not in err and "Exception ignored" not in err
    assert "broken pipe" not in err.lower() and "1 recoloured, 0 failed, 2 not done" in err  # quiet, but how far
    assert sorted(p.name for p in out.iterdir()) == [_result(photos[0], out).name]
    _assert_whole_result(_result(photos[0], out))
    assert _leftovers(tmp_path) == []


def test_version_into_a_closed_pipe_is_no_traceback(tmp_path):
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, "-m", "hairtint_desktop.cli", "--version"], stdout=write_end,
                              stderr=subprocess.PIPE, cwd=REPO, env=_env(tmp_path), timeout=SAFETY_S)
    finally:
        os.close(write_end)
    # argparse itself drops a failed write of --version (exit 0); the entry point's guard gives 141 otherwise
    assert done.returncode in (0, 141)
    assert b"Traceback" not in done.stderr and b"Exception ignored" not in done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("closed", [">&-", ">&- 2>&-"])
def test_recolor_with_stdout_closed_does_the_whole_batch(tmp_path, closed):
    """A closed stdout is like /dev/null: the lines are dropped, the work is done. No file the command
    opens takes the closed descriptor's place, so nothing meant for the terminal lands in a result."""
    photos = _photos(tmp_path / "in", ["a.png", "b.png"])
    out = tmp_path / "out"
    script = f'exec "$@" {closed}'
    done = subprocess.run(["/bin/sh", "-c", script, "sh", *_command(tmp_path / "in", "-o", out)],
                          capture_output=True, cwd=REPO, env=_env(tmp_path),
                          timeout=SAFETY_S)
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0, err
    assert done.stdout == b""
    if "2>&-" not in closed:
        assert "2 recoloured, 0 failed" in err and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == sorted(_result(p, out).name for p in photos)
    for photo in photos:
        _assert_whole_result(_result(photo, out))
    assert _leftovers(tmp_path) == []


@pytest.mark.slow
@pytest.mark.parametrize("utf8_mode", ["1", "0"])
def test_recolor_on_an_ascii_terminal_prints_escapes(tmp_path, utf8_mode):
    """LC_ALL=C and PYTHONIOENCODING=ascii: file names with 'é', '×', '→', '…' are printed as backslash
    escapes (in both of Python's C-locale modes), never a UnicodeEncodeError."""
    photos = _photos(tmp_path / "in", ["café×→….png"])
    out = tmp_path / "résultats"
    env = _env(tmp_path, LC_ALL="C", PYTHONIOENCODING="ascii", PYTHONUTF8=utf8_mode)
    done = subprocess.run(_command(*photos, "-o", out), capture_output=True, cwd=REPO, env=env,
                          timeout=SAFETY_S)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert done.stdout.isascii() and done.stderr.isascii()
    assert b"Traceback" not in done.stderr and b"1 recoloured, 0 failed" in done.stderr
    escaped = b"caf\\xe9\\xd7\\u2192\\u2026" if utf8_mode == "1" else b"caf\\udcc3\\udca9"
    assert escaped in done.stdout, done.stdout
    _assert_whole_result(_result(photos[0], out))
    assert _leftovers(tmp_path) == []


def test_messages_with_non_ascii_text_reach_an_ascii_terminal(tmp_path):
    """An error about a shade named 'Crème…', and `models verify`'s 'sha256 …' lines."""
    env = _env(tmp_path, LC_ALL="C", PYTHONIOENCODING="ascii")
    photo = _photos(tmp_path / "in", ["me.png"])[0]
    refused = subprocess.run(_command(photo, "-o", tmp_path / "out", "--color", "Crème → brûlée…"),
                             capture_output=True, cwd=REPO, env=env, timeout=SAFETY_S)
    assert refused.returncode == 2 and refused.stderr.isascii()
    assert b"Traceback" not in refused.stderr and b"Cr\\xe8me \\u2192 br\\xfbl\\xe9e\\u2026" in refused.stderr
    verify = subprocess.run([sys.executable, "-m", "hairtint_desktop.cli", "models", "verify"], capture_output=True,
                            cwd=REPO, env=env, timeout=SAFETY_S)
    assert verify.returncode == 0, verify.stderr.decode("utf-8", "replace")
    assert verify.stdout.isascii() and b"\\u2026" in verify.stdout and b"Traceback" not in verify.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_mid_batch_keeps_finished_results_and_leaves_nothing_partial(tmp_path, signum):
    """The batch is held after its first photo by a stdout nobody reads (a full pipe), so the signal is
    sure to come mid-batch; the stop must not wait for that reader either."""
    photos = _photos(tmp_path / "in", ["a.png", "b.png", "c.png", "d.png"])
    out = tmp_path / "out"
    read_end, write_end = _full_pipe()
    try:
        proc = subprocess.Popen(_command(tmp_path / "in", "-o", out), stdout=write_end, stderr=subprocess.PIPE,
                                cwd=REPO, env=_env(tmp_path))
    finally:
        os.close(write_end)
    err = _Collect(proc.stderr)
    try:
        first = _result(photos[0], out)
        _wait_for(first.exists, proc, f"{first.name}")
        proc.send_signal(signum)
        code = proc.wait(timeout=SAFETY_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(read_end)
    text = err.text()
    assert code == 128 + signum, text
    name = signal.Signals(signum).name
    assert f"hairtint: stopped by {name}; finished results are kept" in text
    assert "1 recoloured, 0 failed, 3 not done: stopped" in text and "Traceback" not in text
    assert [p.name for p in out.iterdir()] == [first.name]
    _assert_whole_result(first)
    assert _leftovers(tmp_path) == []
    assert all(p.read_bytes() == PORTRAIT.read_bytes() for p in photos)  # inputs untouched


def test_sigterm_while_a_result_is_being_written_removes_that_file(tmp_path, capsys, monkeypatch):
    """In-process, a real SIGTERM sent from inside the second photo's encoder, half-way through its
    bytes: the command exits 143, the half-written temporary file is gone, the first result is whole."""
    from PIL import Image

    photos = _photos(tmp_path / "in", ["a.png", "b.png", "c.png"])
    out = tmp_path / "out"
    real_save = Image.Image.save
    calls = []

    def save(image, fp, *args, **kwargs):
        calls.append(fp)
        if len(calls) == 2:
            fp.write(b"\x89PNG half")  # a partial file on disk when the signal comes
            fp.flush()
            signal.pthread_kill(threading.get_ident(), signal.SIGTERM)  # delivered to this thread, now
            for _ in range(1000):  # the handler runs at the next bytecode check and raises out of here
                fp.write(b"more")
            raise AssertionError("SIGTERM did not stop the write")
        return real_save(image, fp, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "save", save)
    before = signal.getsignal(signal.SIGTERM)

    assert main(["recolor", str(tmp_path / "in"), "-o", str(out)]) == 143

    err = capsys.readouterr().err
    assert "stopped by SIGTERM" in err and "1 recoloured, 0 failed, 2 not done" in err
    assert signal.getsignal(signal.SIGTERM) is before  # the command's handler is gone again
    assert [p.name for p in out.iterdir()] == [_result(photos[0], out).name]
    _assert_whole_result(_result(photos[0], out))
    assert _leftovers(tmp_path) == []


def test_only_the_first_stop_signal_raises_and_the_old_handler_comes_back():
    seen = []
    previous = signal.signal(signal.SIGHUP, lambda *a: seen.append("old"))
    try:
        with pytest.raises(Terminated) as stopped, stop_on_signals():
            try:
                signal.pthread_kill(threading.get_ident(), signal.SIGHUP)
                for _ in range(1000):
                    pass
            finally:  # clean-up under way: a second signal must not cut it short
                signal.pthread_kill(threading.get_ident(), signal.SIGHUP)
                for _ in range(1000):
                    pass
        assert stopped.value.exit_code == 128 + signal.SIGHUP and stopped.value.name == "SIGHUP"
        signal.pthread_kill(threading.get_ident(), signal.SIGHUP)
        for _ in range(1000):
            if seen:
                break
        assert seen == ["old"]
    finally:
        signal.signal(signal.SIGHUP, previous)
