"""``hairtint models list`` on registry entries with damaged figures, and ``hairtint metrics --url`` on
addresses that do not serve Prometheus text (issue 23, item 6): a sentence, never a traceback."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.tools import metrics_fetch
from hairtint_desktop.cli import main
from tests.registries import STABLE_ID, registry_with_experimental


@pytest.fixture
def registry(tmp_path, monkeypatch):
    path = registry_with_experimental(tmp_path / "registry")
    monkeypatch.setattr("core.catalog.registry_file.registry_path", lambda *a: path)
    return path


def _with_metrics(path, metrics) -> None:
    data = json.loads(path.read_text())
    data["models"][0]["metrics"] = metrics
    path.write_text(json.dumps(data))


@pytest.mark.parametrize("metrics, shown, left_out", [
    ([1, 2], "", "not a table"),
    ({"mean_iou": None}, "", "not a table"),
    ({"mean_iou": [0.8]}, "", "not a table"),
    ({"mean_iou": {"celeba": "0.84", "figaro": 0.876}}, "figaro 0.876", 'celeba ("0.84")'),
    ({"mean_iou": {"celeba": None, "figaro": True, "lfw": 10 ** 400}}, "", "celeba (null)"),
    ({"mean_iou": {"celeba": 0.8375}}, "celeba 0.838", None),
])
def test_models_list_shows_what_it_can_and_says_what_it_left_out(registry, capsys, metrics, shown, left_out):
    _with_metrics(registry, metrics)
    before = registry.read_bytes()
    assert main(["models", "list"]) == 0
    out, err = capsys.readouterr()
    line = next(line for line in out.splitlines() if line.startswith(f"{STABLE_ID}@1.0.0"))
    assert line.rpartition("input ")[2].partition(")")[2].strip() == shown  # what follows "input (w, h)"
    assert "Traceback" not in err
    if left_out is None:
        assert err == ""
    else:
        assert f"hairtint: {STABLE_ID}@1.0.0 in {registry}:" in err and left_out in err
        assert len(err.strip().splitlines()) == 1
    assert "hairnet-exp@0.9.0" in out  # the other entries are still listed
    assert registry.read_bytes() == before


class _Answers(BaseHTTPRequestHandler):
    """Serves ``server.body`` with ``server.status`` whatever the path."""

    def do_GET(self):
        self.send_response(self.server.status)
        self.send_header("Content-Length", str(len(self.server.body)))
        self.end_headers()
        self.wfile.write(self.server.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    httpd.status, httpd.body = 200, b""
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


PROMETHEUS = b'# TYPE hairtint_fps gauge\nhairtint_fps 24.5\nhairtint_model_info{model="hairnet"} 1\n'


@pytest.mark.slow
@pytest.mark.parametrize("status, body, said", [
    (200, b"<!doctype html><html><body>Router login</body></html>", "not Prometheus metrics text"),
    (200, b'{"fps": 24}', "not Prometheus metrics text"),
    (200, b"hairtint_fps fast\n", "not Prometheus metrics text"),
    (200, bytes(range(256)) * 4, "not text"),
    (200, b"", "no metrics at all"),
    (200, b"# only a comment\n", "no metrics at all"),
    (404, b"not here", "answered 404"),
    (200, b"a 1\n" * (metrics_fetch.MAX_BYTES // 4 + 1), "more than 4 MB"),
])
def test_metrics_url_that_is_not_prometheus_text_is_one_sentence(server, capsys, status, body, said):
    server.status, server.body = status, body
    url = f"http://127.0.0.1:{server.server_port}/metrics"
    assert main(["metrics", "--url", url]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert err.startswith("hairtint: ") and said in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("url, said", [
    ("file:///dev/zero", "give an http:// address"),
    ("127.0.0.1:9464/metrics", "give an http:// address"),
    ("", "give an http:// address"),
    ("http://[::1/metrics", "cannot read metrics"),
    ("http://127.0.0.1:0/metrics", "the app is not reachable at http://127.0.0.1:0/metrics"),
])
def test_metrics_url_that_cannot_be_read_is_one_sentence(capsys, url, said):
    assert main(["metrics", "--url", url]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_metrics_url_with_prometheus_text_is_shown(server, capsys):
    server.body = PROMETHEUS
    assert main(["metrics", "--url", f"http://127.0.0.1:{server.server_port}/metrics"]) == 0
    out = capsys.readouterr().out
    assert "hairtint_fps" in out and "24.5" in out and 'model="hairnet"' in out


def test_a_slow_trickle_is_cut_off_at_the_deadline():
    class Trickle:
        def read(self, size):
            return b"a 1\n"

    ticks = iter(range(0, 1000, 5))
    with pytest.raises(metrics_fetch.MetricsFetchError, match="took more than 15 s"):
        metrics_fetch._read_bounded(Trickle(), "http://x/metrics", clock=lambda: next(ticks))


# ---- each command prints its report's table(), and --json writes its to_json() ----------------------------

def test_models_list_prints_the_listing(registry, capsys):
    from core.catalog.model_listing import ModelListing
    from core.catalog.registry import Registry

    assert main(["models", "list"]) == 0
    assert capsys.readouterr().out == ModelListing.of(Registry.load(registry)).table() + "\n"


def test_rollout_status_prints_the_status_as_a_table_or_json(registry, tmp_path, capsys, monkeypatch):
    from dataclasses import replace

    from core.catalog.rollout import RolloutStatus
    from core.tryon.session import Session

    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"install_id": "00000000-0000-4000-8000-000000000001"}))
    monkeypatch.delenv("HAIRTINT_ROLLOUT_STAGE", raising=False)
    monkeypatch.setenv("HAIRTINT_FLEET_POLICY", str(tmp_path / "fleet.json"))
    session = Session.load(str(settings))
    assignment = session.assignment()
    status = RolloutStatus(replace(assignment, stage=replace(assignment.stage, source="default")),
                           session.settings_file, session.state_file)  # the file does not set the stage
    assert main(["rollout", "status", "--config", str(settings), "--service", ""]) == 0
    assert capsys.readouterr().out.startswith(status.table() + "\nfleet policy  ")  # then where each value came from
    assert main(["rollout", "status", "--config", str(settings), "--json", "--service", ""]) == 0
    assert status.to_json().items() <= json.loads(capsys.readouterr().out).items()


def test_bench_prints_its_report_and_writes_its_json(tmp_path, capsys, monkeypatch):
    from core.io.outputs import figures_json
    from core.tools.timing_reports import BenchReport, Machine, MemoryCurve

    class Session:
        def build_pipeline(self, *args, **kwargs):
            return self

        def fresh_look(self):
            return None

        def close(self):
            pass

    stats = {"p50": 1.0, "p95": 2.0, "p99": float("nan")}
    report = BenchReport("m@1", 20, (64, 48), 99.5, stats, {"segment": stats}, 10.0,
                         Machine("cpu", None, "system", "3", "mp", "cv", "today"),
                         MemoryCurve.of([(0, 0.0, 1.0), (20, 1.0, 2.0)], 10))
    monkeypatch.setattr("hairtint_desktop.commands.timing.session", lambda args: Session())
    monkeypatch.setattr("core.tools.bench.run_bench", lambda *args, **kwargs: report)
    assert main(["bench", "--frames", "20"]) == 0
    assert capsys.readouterr().out == report.table() + "\n"
    assert main(["bench", "--frames", "20", "--json"]) == 0
    assert capsys.readouterr().out == figures_json(report.to_json()) + "\n"
    out = tmp_path / "bench.json"
    assert main(["bench", "--frames", "20", "--json", str(out)]) == 0
    assert capsys.readouterr().out == f"{report.table()}\nJSON written to {out}\n"
    assert out.read_text() == figures_json(report.to_json()) and json.loads(out.read_text())["latency_ms"]["p99"] is None
