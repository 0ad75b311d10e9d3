"""The crontab of docs/operations.md ("Scheduled jobs"), run as cron runs it (``/bin/sh -c``) with a stand-in for
``manage.py``: the nightly checks all run, and the line fails when any of them fails. Its commands were joined
with ``;``, so the line's exit status was the last check's alone: a broken audit chain with the files intact
exited 0, and a scheduler alerting on the exit status heard nothing."""

import re
import subprocess
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "operations.md"
CHECKS = ["verify_audit", "verify_records", "verify_published_draws", "verify_files"]


def _cron_lines() -> dict[str, str]:
    """The commands of the crontab block, by their minute and hour ("0 3")."""
    block = re.search(r"```cron\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S).group(1)
    lines = {}
    for line in block.splitlines():
        fields = line.split(None, 5)
        if len(fields) == 6 and fields[0][0].isdigit():
            lines[f"{fields[0]} {fields[1]}"] = fields[5]
    return lines


def _run(tmp_path: Path, command: str, failing: str = "") -> tuple[int, list[str]]:
    """The cron line in ``tmp_path`` as the checkout, ``manage.py`` standing in: it logs each command and fails
    the one named ``failing``."""
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True, exist_ok=True)
    log = tmp_path / "calls"
    python.write_text(f'#!/bin/sh\necho "$2" >> {log}\n[ "$2" = "{failing}" ] && exit 1\nexit 0\n')
    python.chmod(0o755)
    (tmp_path / "env").write_text("export DEBUG=False\n")
    log.write_text("")
    command = command.replace("/srv/shuangsuiji", str(tmp_path)).replace("/etc/shuangsuiji.env", str(tmp_path / "env"))
    done = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True, timeout=30)
    return done.returncode, log.read_text().split()


def test_the_nightly_checks_are_in_the_crontab():
    assert [check for check in CHECKS if check in _cron_lines()["0 3"]] == CHECKS


@pytest.mark.parametrize("failing", CHECKS)
def test_the_nightly_checks_fail_the_line_when_any_fails_and_all_run(tmp_path, failing):
    status, calls = _run(tmp_path, _cron_lines()["0 3"], failing)
    assert status != 0
    assert calls == CHECKS  # a failure does not skip the checks after it


def test_the_nightly_checks_exit_0_when_all_pass(tmp_path):
    status, calls = _run(tmp_path, _cron_lines()["0 3"])
    assert (status, calls) == (0, CHECKS)
