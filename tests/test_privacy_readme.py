"""README's privacy section names every module that opens a socket or starts a process (issue 23): a
module of ``core`` or ``hairtint_desktop`` that imports a socket, HTTP or process module, or calls one
of ``os``'s process functions, must be named there by its path."""

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
