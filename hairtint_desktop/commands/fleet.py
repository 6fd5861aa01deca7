"""``hairtint rollout`` (status, set, reset, rollback) and ``hairtint metrics``: what a person running a
fleet of kiosks types on one of them. Each reads the settings file (``--config``, else the user's) and
the rollout state file beside it; the decisions are ``core``'s."""

from __future__ import annotations

import json
import sys
from datetime import datetime

from core.catalog.config import ROLLOUT_STAGES, save_settings
from core.catalog.rollout import RolloutStatus
from core.catalog.rollout_state import RollbackRecord, clear_rollback, write_rollback
from hairtint_desktop.commands.registry import command, group, option

CONFIG = option("--config", metavar="FILE", help="settings file (default: the user's); the rollout state "
                "file is beside it")


def _session(args):
    from core.tryon.session import Session  # lazy: Pillow (through the session's specs), off `hairtint --help`

    return Session.load(getattr(args, "config", None))


group("rollout", "this installation's rollout stage, model and rollback", dest="rollout_command")


@command("rollout status", "stage, installation id, bucket, the model it runs and why, and any rollback",
         CONFIG, option("--json", action="store_true", help="print it as JSON"))
def rollout_status(args) -> int:
    session = _session(args)
    status = RolloutStatus(session.assignment(), session.settings_file, session.state_file)
    print(json.dumps(status.to_json(), indent=2) if args.json else status.table())
    return 0


@command("rollout set", "write the rollout stage to the settings file",
         CONFIG, option("stage", choices=tuple(ROLLOUT_STAGES), metavar="STAGE", help=", ".join(ROLLOUT_STAGES)))
def rollout_set(args) -> int:
    """Write ``rollout_stage`` and nothing else (the file as it is then, read again: see ``save_settings``)."""
    session = _session(args)
    session.update(session.settings.with_(rollout_stage=args.stage))
    path = save_settings(session.settings, session.settings_path, keys=["rollout_stage"])
    print(f"rollout stage {args.stage} written to {path}")
    stage = session.assignment().stage
    if stage.source == "environment":
        print(f"note: HAIRTINT_ROLLOUT_STAGE={stage.name} overrides it for processes started with it set",
              file=sys.stderr)
    return 0


@command("rollout reset", "clear a rollback: the stage decides the model again", CONFIG)
def rollout_reset(args) -> int:
    session = _session(args)
    if clear_rollback(session.state_file):
        print(f"rollback cleared ({session.state_file} removed); the rollout stage decides the model again "
              "from the next start of the app")
    else:
        print("no rollback to clear")
    return 0


@command("rollout rollback", "hold this installation on the stable model (as an automatic rollback does) "
         "until `hairtint rollout reset`",
         CONFIG, option("--reason", default="rolled back by hand", help="recorded with the rollback"))
def rollout_rollback(args) -> int:
    session = _session(args)
    entry = session.assignment().entry
    record = RollbackRecord(time=datetime.now().isoformat(timespec="seconds"), model=f"{entry.id}@{entry.version}",
                            reason=args.reason, by="manual")
    write_rollback(session.state_file, record)
    print(f"this installation is held on the stable model from the next start of the app "
          f"(recorded in {session.state_file}); `hairtint rollout reset` lifts it")
    return 0


@command("metrics", "print the metrics: the running app's when it serves them (metrics.port), else this "
         "installation's",
         CONFIG,
         option("--url", help="read them from this address, e.g. http://127.0.0.1:9464/metrics"),
         option("--prometheus", action="store_true", help="print the Prometheus text itself"))
def metrics(args) -> int:
    """The running app's figures when it serves them (``--url``, else ``metrics.port`` in the settings);
    otherwise this installation's own (model, rollout, rollback; the frame counters at zero)."""
    from core.fleet.telemetry import (  # lazy: OpenCV (the pipeline's stage names), off `hairtint --help`
        Telemetry,
        table,
    )

    session = _session(args)
    url, text = args.url, None
    port, address = session.settings.metrics.port, session.settings.metrics.address
    if url is None and port is not None:
        url = f"http://{'127.0.0.1' if address in ('0.0.0.0', '::') else address}:{port}/metrics"
    if url is not None:
        from core.tools.metrics_fetch import (  # lazy: urllib and ssl, off `hairtint --help`
            MetricsFetchError,
            read_metrics,
        )

        try:
            text = read_metrics(url)
        except MetricsFetchError:
            if args.url is not None:
                raise
            print(f"hairtint: the app is not serving metrics at {url}; showing this installation's figures "
                  "without a running app", file=sys.stderr)
    if text is None:
        telemetry = Telemetry()
        telemetry.set_place(session.settings.fleet.labels())
        telemetry.set_assignment(session.assignment())
        text = telemetry.text()
    print(text if args.prometheus else table(text), end="\n" if not args.prometheus else "")
    return 0
