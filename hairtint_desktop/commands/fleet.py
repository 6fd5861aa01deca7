"""``hairtint rollout`` (status, set, reset, rollback, policy) and ``hairtint metrics``: what a person
running a fleet of kiosks types on one of them. Each reads the settings file (``--config``, else the
user's), the rollout state file beside it and the fleet policy file; ``rollout status`` decides with the
running kiosk service's environment where there is one. The decisions are ``core``'s."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import datetime

from core.catalog.config import MAX_SETTINGS_BYTES, ROLLOUT_STAGES, FleetSettings, rollout_stage, save_settings
from core.catalog.fleet_policy import FleetPolicy, PolicyError, PolicyRead, load_policy, policy_path, read_policy
from core.catalog.rollout import RolloutStatus
from core.catalog.rollout_state import RollbackRecord, clear_rollback, read_judgement, read_rollback, write_rollback
from core.io.small_files import FileProblem, read_json
from core.tools.service_env import SERVICE, running_environment
from hairtint_desktop.commands.registry import command, group, option

CONFIG = option("--config", metavar="FILE", help="settings file (default: the user's); the rollout state "
                "file is beside it")


def _session(args):
    from core.tryon.session import Session  # lazy: Pillow (through the session's specs), off `hairtint --help`

    return Session.load(getattr(args, "config", None))


group("rollout", "this installation's rollout stage, model and rollback", dest="rollout_command")


@command("rollout status", "stage, installation id, bucket, the model it runs and why, any rollback, and where "
         "each fleet value comes from",
         CONFIG, option("--json", action="store_true", help="print it as JSON"),
         option("--service", default=SERVICE, metavar="UNIT", help=f"decide with the environment of this running "
                f"systemd user service (default {SERVICE}; '' for this shell's)"))
def rollout_status(args) -> int:
    session = _session(args)
    environ, whose = running_environment(args.service)
    path, path_from = policy_path(session.settings.fleet_policy, environ)
    try:
        read = PolicyRead(read_policy(path), path_from)
    except PolicyError as exc:  # a line of the status, not a log message besides
        read = PolicyRead(FleetPolicy(path=path), path_from, str(exc))
    assignment = session.assignment(environ=environ, policy=read.policy)
    if assignment.stage.source == "settings" and not _sets_stage(session.settings_file):
        assignment = replace(assignment, stage=replace(assignment.stage, source="default"))
    fleet = session.settings.fleet
    place = {"kiosk": fleet.kiosk, "salon": fleet.salon, "host": FleetSettings().labels()["kiosk"]}
    status = RolloutStatus(assignment, session.settings_file, session.state_file, read.policy, read.path_from,
                           read.problem, place, whose, read_judgement(session.state_file))
    print(json.dumps(status.to_json(), indent=2) if args.json else status.table())
    return 0


def _sets_stage(settings_file) -> bool:
    """Whether the settings file sets the stage (else the stage in force is the default)."""
    try:
        data = read_json(settings_file, MAX_SETTINGS_BYTES)
    except FileProblem:
        return False
    return isinstance(data, dict) and any(key in data for key in ("rollout_stage", "rollout_percent"))


def _stage_name(value: str) -> str:
    try:
        return rollout_stage(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


@command("rollout set", "write the rollout stage to the settings file",
         CONFIG, option("stage", type=_stage_name, metavar="STAGE", help=", ".join(ROLLOUT_STAGES) + " (any case)"))
def rollout_set(args) -> int:
    """Write ``rollout_stage`` and nothing else (the file as it is then, read again: see ``save_settings``)."""
    session = _session(args)
    session.update(session.settings.with_(rollout_stage=args.stage))
    path = save_settings(session.settings, session.settings_path, keys=["rollout_stage"])
    print(f"rollout stage {args.stage} written to {path}")
    stage = session.assignment().stage
    if stage.source in ("environment", "fleet"):
        where = stage.origin if stage.source == "environment" else f"the fleet policy {stage.origin}"
        print(f"note: {where} sets the stage {stage.name}, which wins over the settings file", file=sys.stderr)
    return 0


@command("rollout policy", "check a fleet policy file and show what it sets (exit 2 when it cannot be used)",
         CONFIG, option("file", nargs="?", metavar="FILE", help="the file to check (default: the one in force)"))
def rollout_policy(args) -> int:
    """What config management runs before it puts a policy file in place (Ansible's ``validate:``)."""
    if args.file is None:
        read = load_policy(_session(args).settings.fleet_policy)
        if read.problem:
            raise PolicyError(read.problem)
        policy = read.policy
    else:
        policy = read_policy(args.file)
        if not policy.found:
            raise PolicyError(f"The fleet policy {args.file} does not exist")
    print(f"{policy.path}: " + ("can be used" if policy.found else "not there: it sets nothing"))
    for key, value in policy.to_json().items():
        if key not in ("path", "found"):
            print(f"  {key:<20} {'–' if value is None else value}")
    return 0


@command("rollout reset", "clear a rollback: the stage decides the model again", CONFIG)
def rollout_reset(args) -> int:
    session = _session(args)
    held = read_rollback(session.state_file)
    if clear_rollback(session.state_file) and held is not None:
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


@command("metrics", "print the running app's metrics (from metrics.port, or --url), or say that the app is not "
         "reachable; --local: this installation's own, without the app",
         CONFIG,
         option("--url", help="read them from this address, e.g. http://127.0.0.1:9464/metrics"),
         option("--local", action="store_true", help="this installation's model, rollout and rollback without the "
                "running app (the frame counters at zero)"),
         option("--prometheus", action="store_true", help="print the Prometheus text itself"))
def metrics(args) -> int:
    """The running app's figures (``--url``, else ``metrics.port`` in the settings); when nothing answers
    there, or no port is set, an error that says the app is not reachable (never a table of zeros).
    ``--local``: this installation's own (model, rollout, rollback; the frame counters at zero)."""
    from core.fleet.telemetry import (  # lazy: OpenCV (the pipeline's stage names), off `hairtint --help`
        Telemetry,
        table,
    )

    session = _session(args)
    if args.local:
        telemetry = Telemetry()
        telemetry.set_place(session.settings.fleet.labels())
        telemetry.set_assignment(session.assignment())
        text = telemetry.text()
    else:
        text = _running_apps_metrics(args.url, session)
    print(text if args.prometheus else table(text), end="\n" if not args.prometheus else "")
    return 0


def _running_apps_metrics(url: str | None, session) -> str:
    """The Prometheus text the running app serves at ``url`` (None: where the settings say it listens)."""
    from core.tools.metrics_fetch import AppUnreachable, read_metrics  # lazy: urllib and ssl, off `hairtint --help`

    local = "`hairtint metrics --local` shows this installation's model and rollout without it"
    if url is not None:
        return read_metrics(url)
    settings = session.settings.metrics
    if settings.port is None:
        raise AppUnreachable(f"the app is not reachable: metrics.port is not set in {session.settings_file}, so the "
                             f"running app serves no metrics (see docs/MONITORING.md); {local}")
    host = "127.0.0.1" if settings.address in ("0.0.0.0", "::") else settings.address
    url = f"http://{f'[{host}]' if ':' in host else host}:{settings.port}/metrics"
    try:
        return read_metrics(url)
    except AppUnreachable as exc:
        raise AppUnreachable(f"{exc}; is HairTint running with this settings file? "
                             f"(`systemctl --user status hairtint-kiosk`); {local}") from None
