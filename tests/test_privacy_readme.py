"""README's privacy section is exact. It names every module that opens a socket or starts a process
(issue 23): a module of ``core`` or ``hairtint_desktop`` that imports a socket, HTTP or process module,
or calls one of ``os``'s process functions, must be named there by its path. And what it says of the
metrics and of staff's "Looks wrong" reports is what the code does (issue 26): no socket out of the box,
the exporter on 127.0.0.1 by default, what the served text carries (the kiosk and salon labels, never
the install id), and the files a report may write."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NETWORK_OR_PROCESS = {"socket", "socketserver", "ssl", "subprocess", "multiprocessing", "http.server",
                      "http.client", "urllib.request", "asyncio", "concurrent.futures.process", "PySide6.QtNetwork",
                      "prometheus_client.exposition"}
NAMES = {"start_http_server", "Popen", "ProcessPoolExecutor", "QProcess", "QTcpServer", "QTcpSocket", "QUdpSocket",
         "QNetworkAccessManager", "QLocalServer", "QLocalSocket"}
OS_CALLS = {"fork", "system", "popen", "posix_spawn", "posix_spawnp", "spawnv", "spawnl", "execv", "execve", "execvp",
            "execl", "execlp", "startfile"}


def _privacy_section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("## Privacy")
    return text[start:text.index("\n## ", start + 1)]


def _opens_or_starts(path: Path) -> list[str]:
    """What in ``path`` can open a socket or start a process."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name in NETWORK_OR_PROCESS]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module in NETWORK_OR_PROCESS:
                found.append(node.module)
            found += [a.name for a in node.names if a.name in NAMES or f"{node.module}.{a.name}" in NETWORK_OR_PROCESS]
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os"
              and node.attr in OS_CALLS):
            found.append(f"os.{node.attr}")
    return found


def test_every_module_that_opens_a_socket_or_starts_a_process_is_named_in_the_privacy_section():
    section = _privacy_section()
    found = {str(p.relative_to(REPO)): what for package in ("core", "hairtint_desktop")
             for p in sorted((REPO / package).rglob("*.py")) if (what := _opens_or_starts(p))}
    assert "core/stages/segment/model_probe.py" in found and "core/fleet/metrics_http.py" in found  # the scan sees them
    missing = {path: what for path, what in found.items() if f"`{path}`" not in section}
    assert missing == {}, f"README's privacy section does not name these (and what they use): {missing}"


def test_out_of_the_box_no_socket_and_the_exporter_on_this_machine_only(tmp_path, monkeypatch, capsys):
    import json
    import socket

    from core.catalog.config import MetricsSettings
    from hairtint_desktop.cli import main

    section = _privacy_section()
    assert MetricsSettings().port is None and MetricsSettings().address == "127.0.0.1"
    assert "Out of the box it opens no socket at all" in section and "**127.0.0.1** (this machine only)" in section
    opened = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, address: opened.append(address))
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **kw: opened.append(address))
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({}))
    monkeypatch.setenv("HAIRTINT_CONFIG", str(settings))
    assert main(["metrics"]) == 2 and opened == []  # no port set: it says so, and asks nobody
    assert "not reachable" in capsys.readouterr().err


def test_what_the_served_text_carries_is_what_the_section_says():
    from core.catalog.config import FleetSettings, Settings
    from core.fleet.telemetry import Telemetry, rows
    from core.tryon.session import Session

    install_id = "00000000-0000-4000-8000-00000000abcd"
    telemetry = Telemetry()
    telemetry.set_place(FleetSettings(kiosk="kiosk-07", salon="north").labels())
    telemetry.set_assignment(Session(Settings(install_id=install_id)).assignment())
    text = telemetry.text()
    labels = {name for _, sample_labels, _ in rows(text) for name in sample_labels}
    assert {"kiosk", "salon"} <= labels and install_id not in text
    section = " ".join(_privacy_section().split())
    assert "the labels `kiosk` (`fleet.kiosk`, else the first part of the host name) and `salon` (`fleet.salon`)" in section
    assert "no image, no install id, nothing about a customer" in section


def test_the_files_a_looks_wrong_report_may_write_are_named():
    from core.catalog.config import FeedbackSettings
    from core.fleet.feedback_snapshot import FOLDER
    from core.fleet.feedback_tally import FILE

    section = _privacy_section()
    assert FeedbackSettings().keep_snapshot is False  # "off by default"
    assert f"`{FILE}` beside the settings file" in section and f"`{FILE}.bak`" in section
    assert f"`{FOLDER}/` beside the settings file" in section and "only with `feedback.keep_snapshot` set (off by default)" in section
