"""packaging/prometheus/grafana/hairtint-fleet.json: valid JSON that Grafana imports (panels, targets,
variables), and every PromQL expression in it reads only names that exist, the app's metrics or the
recording rules, and parses (promtool, where Prometheus is installed)."""

from __future__ import annotations

import json
import re
import subprocess

import yaml

from core.fleet.telemetry import Telemetry
from tests.fleet.prometheus import PACKAGING, RULES, program

DASHBOARD = PACKAGING / "grafana" / "hairtint-fleet.json"
NAME = re.compile(r"[a-z_:]*hairtint[a-z0-9_:]*")
GRAFANA_VARIABLES = {"$salon": ".*", "$kiosk": ".*", "$__rate_interval": "5m"}


def _dashboard() -> dict:
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


def _expressions() -> list[str]:
    """Each panel target's expression, and each variable's selector (inside Grafana's label_values)."""
    board = _dashboard()
    exprs = [target["expr"] for panel in board["panels"] for target in panel["targets"]]
    for variable in board["templating"]["list"]:
        if variable["type"] == "query":
            exprs.append(re.fullmatch(r"label_values\((.+), *\w+\)", variable["query"]["query"])[1])
    return exprs


def _served() -> set[str]:
    return set(re.findall(r"^# TYPE (\S+)", Telemetry().text(), flags=re.M))


def _recorded() -> set[str]:
    return {rule["record"] for path in RULES for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]
            for rule in group["rules"] if "record" in rule}


def test_the_dashboard_is_one_grafana_can_import():
    board = _dashboard()
    assert board["uid"] == "hairtint-fleet" and board["title"] and board["schemaVersion"] >= 30
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids)) >= 8
    for panel in board["panels"]:
        assert panel["targets"] and set(panel["gridPos"]) == {"x", "y", "w", "h"}, panel["title"]
        assert all(target["expr"].strip() and target["refId"] for target in panel["targets"]), panel["title"]
    names = {variable["name"] for variable in board["templating"]["list"]}
    assert {"datasource", "salon", "kiosk"} <= names


def test_every_name_an_expression_reads_is_served_or_recorded():
    known = _served() | _recorded()
    used = {name for expr in _expressions() for name in NAME.findall(expr)}
    assert not used - known, f"not served by the app nor recorded: {sorted(used - known)}"
    assert used & _recorded() and len(used & _recorded()) >= 8  # the panels read the recording rules


def test_every_expression_parses(tmp_path):
    exprs = []
    for expr in _expressions():
        for variable, value in GRAFANA_VARIABLES.items():
            expr = expr.replace(variable, value)
        exprs.append(expr)
    rules = {"groups": [{"name": "dashboard", "rules": [{"record": f"dashboard:check_{i}", "expr": expr}
                                                        for i, expr in enumerate(exprs)]}]}
    path = tmp_path / "dashboard.yml"
    path.write_text(yaml.safe_dump(rules), encoding="utf-8")
    done = subprocess.run([program("promtool"), "check", "rules", str(path)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
