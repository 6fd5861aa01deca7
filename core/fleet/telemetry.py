"""The app's metrics, in one ``prometheus_client`` registry of its own (never the process-wide default):
frames, errors and the error rate, latency p50/p95/p99 per stage and in total, fps, dropped frames, the
model in use, the rollout stage and this installation's assignment, rollbacks, camera reconnects, staff's
"Looks wrong" reports and customers served, and uptime. Figures only: no image data, no install id,
nothing about the people in front of the camera.

:class:`Telemetry` is fed by :class:`core.fleet.monitor.FleetMonitor` (frame outcomes, the assignment, rollbacks)
and by the live runner's events (:meth:`Telemetry.observe`). :class:`MetricsServer` publishes it as Prometheus
text at ``/metrics``. No Qt here."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Metric, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from core.fleet.metrics_http import PooledServer
from core.live.events import Processed, Recovered
from core.pipeline.pipeline import STAGES

QUANTILES = ("p50", "p95", "p99")
FAILURE_REASONS = ("checksum", "missing", "other")


class Telemetry:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.registry = r = CollectorRegistry()
        self.frames = Counter("hairtint_frames", "Frames processed without an error", registry=r)
        self.errors = Counter("hairtint_errors", "Frames that failed: an exception or an invalid mask",
                              ["kind"], registry=r)
        self.error_rate = Gauge("hairtint_error_rate", "Share of frames that failed over the rolling window",
                                registry=r)
        self.latency = Gauge("hairtint_latency_ms", "Pipeline latency in ms over the rolling window, per stage "
                             "and in total", ["stage", "quantile"], registry=r)
        self.fps = Gauge("hairtint_fps", "Frames processed per second over the rolling window", registry=r)
        self.dropped = Counter("hairtint_dropped_frames", "Captured frames replaced by a newer one before "
                               "processing", registry=r)
        self.model = Gauge("hairtint_model_info", "The hair model in use (value 1); model_stage: its registry "
                           "stage (stable, experimental)", ["model", "version", "model_stage"], registry=r)
        self.rollout = Gauge("hairtint_rollout_info", "The rollout stage and this installation's assignment "
                             "(value 1)", ["rollout_stage", "assignment", "candidate"], registry=r)
        self.model_failures = Counter("hairtint_model_failures", "Times the model chosen could not be loaded and "
                                      "a stable one ran instead; reason: checksum, missing or other",
                                      ["reason"], registry=r)
        self.bucket = Gauge("hairtint_rollout_bucket", "This installation's bucket (0-99) for the experimental "
                            "model; -1 when there is none", registry=r)
        self.rollbacks = Counter("hairtint_rollbacks", "Automatic rollbacks to the stable model", registry=r)
        self.rollback_active = Gauge("hairtint_rollback_active", "1 while a rollback holds this installation on "
                                     "the stable model", registry=r)
        self.reconnects = Counter("hairtint_camera_reconnects", "Times the camera (or another live source) came "
                                  "back after failing", registry=r)
        self.feedback = Counter("hairtint_feedback", "Times staff pressed \"Looks wrong\", per model in use",
                                ["model", "version"], registry=r)
        self.customers = Counter("hairtint_customers", "Customers served (a kiosk's reset for the next one), per "
                                 "model in use", ["model", "version"], registry=r)
        self.latency_decision = Gauge("hairtint_latency_decision", "The latency rule's decision on the model "
                                      "under watch (value 1; judging, within_budget, busy_machine, like_stable, "
                                      "too_slow; not_watched: no experimental model runs)", ["decision"], registry=r)
        self.judged_p95 = Gauge("hairtint_judged_p95_ms", "p95 latency over the latency rule's window: the model "
                                "under watch, and the stable model timed on the same machine", ["run"], registry=r)
        self.latency_ratio = Gauge("hairtint_latency_ratio", "p95 of the model under watch over the stable "
                                   "model's", registry=r)
        self.frame_budget = Gauge("hairtint_frame_budget_ms", "The latency rule's budget: the camera's frame "
                                  "interval, else 33.3 ms", registry=r)
        self.frame_interval = Gauge("hairtint_frame_interval_ms", "The camera's frame interval (NaN: not known)",
                                    registry=r)
        self.latency_window = Gauge("hairtint_latency_window_seconds", "The latency rule's window", registry=r)
        started = clock()
        self.uptime = Gauge("hairtint_uptime_seconds", "Seconds since the app started", registry=r)
        self.uptime.set_function(lambda: clock() - started)
        self.errors.labels("exception")
        self.errors.labels("invalid_mask")
        self.bucket.set(-1)
        for reason in FAILURE_REASONS:
            self.model_failures.labels(reason)
        self._lock = threading.Lock()
        self._dropped_seen = 0
        self.place: dict[str, str] = {}

    # ---- what feeds it ------------------------------------------------------------------------------
    def frame(self, ok: bool, kind: str | None = None) -> None:
        self.frames.inc() if ok else self.errors.labels(kind or "exception").inc()

    def set_assignment(self, assignment) -> None:
        """The model in use and the rollout facts (a ``core.catalog.rollout.Assignment``)."""
        entry, candidate = assignment.entry, assignment.candidate
        with self._lock:
            self.model.clear()
            self.model.labels(entry.id, entry.version, entry.stage).set(1)
            self.feedback.labels(entry.id, entry.version)  # at 0 from the start, so a first report is an increase
            self.customers.labels(entry.id, entry.version)
            self.rollout.clear()
            self.rollout.labels(assignment.stage.name, assignment.name,
                                "" if candidate is None else f"{candidate.id}@{candidate.version}").set(1)
        self.bucket.set(-1 if assignment.bucket is None else assignment.bucket)
        self.rollback_active.set(int(assignment.held is not None))
        if assignment.fallback is not None:  # given once for each fallback (FleetMonitor._fall_back)
            self.model_failures.labels(failure_reason(assignment.fallback)).inc()

    def set_place(self, labels: dict[str, str]) -> None:
        """The ``kiosk`` and ``salon`` labels every series carries in :meth:`text` (``FleetSettings.labels()``;
        none until set)."""
        self.place = dict(labels)

    def latency_judgement(self, figures: dict) -> None:
        """The latency rule's decision and figures (``core.fleet.rollback.LatencyJudgement.figures``)."""
        with self._lock:
            self.latency_decision.clear()
            self.latency_decision.labels(figures["decision"]).set(1)
        for run, key in (("watched", "p95_ms"), ("stable", "stable_p95_ms")):
            self.judged_p95.labels(run).set(math.nan if figures[key] is None else figures[key])
        for gauge, key in ((self.latency_ratio, "ratio"), (self.frame_budget, "frame_budget_ms"),
                           (self.frame_interval, "frame_interval_ms"), (self.latency_window, "latency_window_s")):
            gauge.set(math.nan if figures[key] is None else figures[key])

    def looks_wrong(self, model: str, version: str) -> None:
        """Staff said the picture looks wrong (the "Looks wrong" button) while ``model`` ran."""
        self.feedback.labels(model, version).inc()

    def customer(self, model: str, version: str) -> None:
        """One customer served while ``model`` ran (the denominator of the feedback rate)."""
        self.customers.labels(model, version).inc()

    def rolled_back(self) -> None:
        self.rollbacks.inc()
        self.rollback_active.set(1)

    def observe(self, event) -> None:
        """A live runner event (any thread): figures from processed frames, reconnects."""
        if isinstance(event, Processed):
            stats = event.info.stats or {}
            if not math.isnan(stats.get("fps", math.nan)):
                self.fps.set(stats["fps"])
            for stage in (*STAGES, "total"):
                for q in QUANTILES:
                    value = (stats.get(stage) or {}).get(q, math.nan)
                    if not math.isnan(value):
                        self.latency.labels(stage, q).set(value)
            with self._lock:
                dropped = event.info.dropped
                self.dropped.inc(dropped - self._dropped_seen if dropped >= self._dropped_seen else dropped)
                self._dropped_seen = dropped
        elif isinstance(event, Recovered):
            self.reconnects.inc()

    # ---- what it gives --------------------------------------------------------------------------------
    def text(self) -> str:
        """The Prometheus text exposition of every figure, each series with this kiosk's place labels."""
        return generate_latest(_Placed(self.registry, self.place)).decode("utf-8")

    def rows(self) -> list[tuple[str, dict, float]]:
        return rows(self.text())


class _Placed:
    """``registry``'s figures with ``place`` (kiosk, salon) added to every sample's labels: the one place
    the labels are put on."""

    def __init__(self, registry: CollectorRegistry, place: dict[str, str]):
        self.registry, self.place = registry, place

    def collect(self):
        for family in self.registry.collect():
            placed = Metric(family.name, family.documentation, family.type, family.unit)
            placed.samples = [s._replace(labels={**self.place, **s.labels}) for s in family.samples]
            yield placed


def failure_reason(note: str) -> str:
    """Why a model could not be loaded, from the fallback's note (core.catalog.model_entry's messages)."""
    if "checksum" in note or "has no sha256" in note:
        return "checksum"
    return "missing" if " is missing " in note else "other"


def rows(text: str) -> list[tuple[str, dict, float]]:
    """(sample name, labels, value) for each sample of a Prometheus text, in order."""
    return [(s.name, dict(s.labels), s.value) for family in text_string_to_metric_families(text)
            for s in family.samples if not s.name.endswith("_created")]


def table(text: str) -> str:
    """A Prometheus text as lines a person reads: ``name{labels}  value``."""
    lines = []
    for name, labels, value in rows(text):
        label = "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}" if labels else ""
        shown = f"{value:.0f}" if float(value).is_integer() else f"{value:.4g}"
        lines.append(f"{name + label:<64} {shown}")
    return "\n".join(lines)


class MetricsServer:
    """Prometheus text at ``http://address:port/metrics`` (and nothing else: 404), answered by a fixed
    pool of threads with a timeout on every read (:mod:`core.fleet.metrics_http`); ``port`` 0 takes a free port
    (:attr:`port` says which)."""

    def __init__(self, telemetry: Telemetry, port: int, address: str = "127.0.0.1", **pool):
        self._server = PooledServer(address, port, telemetry.text, **pool)
        self.address, self.port = address, self._server.server_port

    @property
    def url(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"http://{host}:{self.port}/metrics"

    def wait_for_connections(self, count: int, timeout: float) -> bool:
        return self._server.wait_for_connections(count, timeout)

    def wait_until_idle(self, timeout: float) -> bool:
        return self._server.wait_until_idle(timeout)

    def close(self) -> None:
        self._server.close()


__all__ = ["FAILURE_REASONS", "QUANTILES", "MetricsServer", "Telemetry", "failure_reason", "rows", "table"]
