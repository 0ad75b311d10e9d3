"""The gunicorn command of docs/operations.md ("Running it for a bureau"), started as operations start it: from the
checkout, with gunicorn's own configuration loading (a ``gunicorn.conf.py`` there, its defaults).

gunicorn 25.1+ (the project pins 27) opens a control socket for ``gunicornc`` at one path per user —
``$XDG_RUNTIME_DIR/gunicorn.ctl`` or ``~/.gunicorn/gunicorn.ctl`` — whatever the server's port. Two servers of one
user (a second instance, staging beside production) shared it: the later one unlinked the other's and bound its
own (again after every worker it forks), so ``gunicornc`` reached whichever had last, and stopping either deleted
the path under the other. The documented command turns it off (the operations signal the master instead), and
names the PID file those signals read: the operator was told to ``kill -TERM PID`` with no word of where the PID
was."""

import os
import re
import shlex
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "operations.md"


def _documented_command() -> list[str]:
    """The gunicorn command of "Running it for a bureau", its continuation lines joined."""
    section = DOC.read_text(encoding="utf-8").split("## Running it for a bureau")[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1).replace("\\\n", " ")
    line = next(line for line in block.splitlines() if line.startswith(".venv/bin/gunicorn "))
    return shlex.split(line.split("#")[0])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(command: list[str], tmp_path: Path, name: str, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    """The documented command with this test's port and log files (one worker: the socket is the master's)."""
    port = _free_port()
    args = [str(ROOT / command[0])]
    replaced = {"-w": "1", "-b": f"127.0.0.1:{port}", "--access-logfile": str(tmp_path / f"{name}-access.log"),
                "--error-logfile": str(tmp_path / f"{name}-error.log"), "--pid": str(tmp_path / f"{name}.pid")}
    rest = iter(command[1:])
    for arg in rest:
        args.append(arg)
        if arg in replaced:
            next(rest)
            args.append(replaced[arg])
    server = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
            break
        except urllib.error.HTTPError:
            break  # it answers (a 503 of the test's media folder is no matter here)
        except OSError:
            assert server.poll() is None, (tmp_path / f"{name}-error.log").read_text()
            time.sleep(0.3)
    else:
        raise AssertionError("gunicorn did not answer")
    return server, port


def test_the_documented_gunicorn_command_names_the_options_the_test_replaces():
    command = _documented_command()
    assert command[:2] == [".venv/bin/gunicorn", "shuangsuiji.wsgi"]
    assert {"-w", "-b", "--access-logfile", "--error-logfile", "--pid"} <= set(command)


def _pid_file() -> str:
    command = _documented_command()
    return command[command.index("--pid") + 1]


def _stop_lines() -> list[str]:
    """The guide's commands that stop the server (its sh blocks' lines marked so)."""
    blocks = re.findall(r"```sh\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    return [line.split("#")[0].strip() for block in blocks for line in block.splitlines()
            if line.rstrip().endswith("# stop the server")]


def test_every_signal_the_guide_sends_reads_the_pid_file_the_command_writes():
    kills = re.findall(r"kill -[A-Z0-9]+ ([^`\s]+(?: [^`\s#]+)?)", DOC.read_text(encoding="utf-8"))
    assert kills and all(target == f'"$(cat {_pid_file()})"' for target in kills), kills
    assert len(_stop_lines()) == 2  # "Running it for a bureau" and "Upgrading"


def test_two_servers_of_one_user_started_as_documented_share_no_control_socket(tmp_path):
    home, runtime = tmp_path / "home", tmp_path / "run"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "HOME": str(home), "XDG_RUNTIME_DIR": str(runtime), "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = _documented_command()
    servers = []
    try:
        for name in ("production", "staging"):
            servers.append(_start(command, tmp_path, name, env))
        time.sleep(3)  # the master opens the socket in a thread once its workers are up
        sockets = [path for path in (*home.rglob("*"), *runtime.rglob("*")) if path.is_socket()]
        assert sockets == [], f"a control socket the two servers share: {sockets}"
        logs = "".join((tmp_path / f"{name}-error.log").read_text() for name in ("production", "staging"))
        assert "Control socket listening" not in logs
        for (server, _port), name in zip(servers, ("production", "staging"), strict=True):
            os.kill(int((tmp_path / f"{name}.pid").read_text()), signal.SIGTERM)  # as the guide stops it
            assert server.wait(timeout=30) == 0
    finally:
        for server, _port in servers:
            if server.poll() is None:
                server.terminate()
                server.wait(timeout=30)


def test_the_guides_stop_lets_the_server_start_again_at_once(tmp_path):
    """``kill -TERM`` returns before the master has gone: a start right after it stopped with ``Already running on
    PID …`` (the drill of 2026-12-03, restarting after a change of the environment file). The guide's stop waits
    for the PID file to go."""
    env = {**os.environ, "HOME": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = _documented_command()
    server, _port = _start(command, tmp_path, "first", env)
    try:
        for stop in _stop_lines():
            done = subprocess.run(["/bin/sh", "-c", stop.replace(_pid_file(), str(tmp_path / "first.pid"))],
                                  timeout=60, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
            stopped = server
            server, _port = _start(command, tmp_path, "first", env)  # at once, on the same PID file
            assert stopped.poll() == 0
    finally:
        server.terminate()
        server.wait(timeout=30)
