"""packaging/ansible/fleet-policy.yml, the Ansible play docs/ROLLOUT.md shows: it passes
``ansible-playbook --syntax-check``, and run against this machine (a connection of its own, a policy
path under the test's folder) it writes a policy the app reads, and refuses a bad one through the app's
own check (``hairtint rollout policy``), leaving the last good file in place. Skipped, saying so, where
Ansible is not installed (``apt-get install ansible-core``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.catalog.fleet_policy import read_policy

REPO = Path(__file__).resolve().parent.parent
PLAY = REPO / "packaging" / "ansible" / "fleet-policy.yml"
PLAYBOOK = shutil.which("ansible-playbook")
needs_ansible = pytest.mark.skipif(PLAYBOOK is None, reason="ansible-playbook is not installed here "
                                   "(apt-get install ansible-core, or pip install ansible-core)")


def play(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ANSIBLE_LOCALHOST_WARNING": "False", "ANSIBLE_NOCOLOR": "1",
           "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"), "ANSIBLE_HOME": str(tmp_path / "ansible-home")}
    return subprocess.run([PLAYBOOK, *extra, str(PLAY)], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=300, check=False)


def test_rollout_md_shows_the_play_as_it_is_shipped():
    import re

    import yaml

    text = (REPO / "docs" / "ROLLOUT.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"^```yaml\n(.*?)^```", text, flags=re.S | re.M)
    assert yaml.safe_load(block) == yaml.safe_load(PLAY.read_text(encoding="utf-8"))


@needs_ansible
def test_the_play_passes_the_syntax_check(tmp_path):
    done = play(tmp_path, "--syntax-check")
    assert done.returncode == 0, done.stdout + done.stderr


@needs_ansible
@pytest.mark.slow
def test_the_play_writes_a_policy_the_app_reads_and_refuses_a_bad_one(tmp_path):
    policy = tmp_path / "etc" / "hairtint" / "fleet.json"
    hairtint = Path(sys.executable).with_name("hairtint")
    local = ["-i", "localhost,", "-c", "local", "-e", "hairtint_hosts=localhost", "-e", "hairtint_become=false",
             "-e", f"hairtint_owner={os.getuid()}", "-e", f"hairtint_policy_file={policy}",
             "-e", f"hairtint_bin={hairtint}"]
    done = play(tmp_path, *local, "-e", "hairtint_stage=Ten_Percent", "-e", "hairtint_salon=paris-3",
                "-e", json.dumps({"hairtint_allowed_models": ["hairnet-hq@1.0.0"]}))
    assert done.returncode == 0, done.stdout + done.stderr
    read = read_policy(policy)
    assert (read.stage, read.salon, read.allowed_models, read.kiosk) == ("ten_percent", "paris-3",
                                                                         ("hairnet-hq@1.0.0",), "localhost")
    assert read.clear_rollbacks_at is None and oct(policy.stat().st_mode & 0o777) == "0o644"
    good = policy.read_text()
    refused = play(tmp_path, *local, "-e", "hairtint_stage=sideways")
    assert refused.returncode != 0 and "'sideways' is not a rollout stage" in refused.stdout
    assert policy.read_text() == good  # the bad policy never replaced the good one
