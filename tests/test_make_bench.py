"""`make bench` prepares the machine for the benchmarks: its set-up installs what they need beside `make run`'s
packages (wrk), and bench/portal_bench.py, the one that needs wrk, names what is missing and how to install it
before it builds anything."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")


def system_deps_lines(*goals: str) -> list[str]:
    """The system-deps.sh command `make GOALS` would run, read from make's dry run (-n runs no recipe line here:
    none of setup's or bench's calls $(MAKE))."""
    done = subprocess.run(["make", "-n", "-C", str(ROOT), *goals], capture_output=True, text=True, check=True,
                          timeout=60)
    return [line.strip() for line in done.stdout.splitlines() if line.strip().startswith("scripts/system-deps.sh")]


def test_make_bench_asks_system_deps_for_the_benchmarks_packages():
    assert system_deps_lines("bench") == ["scripts/system-deps.sh bench"]


def test_make_run_still_asks_for_the_packages_of_running_only():
    assert system_deps_lines("run") == ["scripts/system-deps.sh run"]
    assert system_deps_lines("setup") == ["scripts/system-deps.sh run"]


def system_deps(tmp_path: Path, *wants: str, have: tuple[str, ...] = ("msgfmt", "chromium", "pdftoppm")):
    """scripts/system-deps.sh run on a PATH of stand-ins: the tools in ``have`` present, a CJK font listed, and a
    user who is not root, so that the script names what it would install and installs nothing."""
    bin_dir = Path(tempfile.mkdtemp(dir=tmp_path))
    stubs = {name: "exit 0" for name in have} | {"fc-list": "echo 'Noto Sans CJK SC'", "id": "echo 1000"}
    for name, body in stubs.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    (bin_dir / "grep").symlink_to(shutil.which("grep"))
    return subprocess.run(["/bin/sh", str(ROOT / "scripts" / "system-deps.sh"), *wants], capture_output=True,
                          text=True, env={"PATH": str(bin_dir)}, timeout=60)


@pytest.mark.skipif(not any(Path(p).exists() for p in ("/usr/lib/x86_64-linux-gnu/libpango-1.0.so.0",
                                                          "/usr/lib/aarch64-linux-gnu/libpango-1.0.so.0")),
                    reason="Pango not installed: the script would name it too")
def test_system_deps_wants_wrk_for_the_benchmarks_only(tmp_path):
    bench = system_deps(tmp_path, "bench")
    assert bench.returncode == 1 and "sudo apt-get install -y wrk " in bench.stderr, bench.stderr
    both = system_deps(tmp_path, "test", "bench", have=("msgfmt",))
    assert both.returncode == 1 and "apt-get install -y chromium poppler-utils wrk " in both.stderr, both.stderr
    for wants in ((), ("run",), ("test",)):
        done = system_deps(tmp_path, *wants)
        assert done.returncode == 0 and done.stdout == done.stderr == "", (wants, done.stderr)


def test_portal_bench_without_wrk_says_what_is_missing_and_how_to_install_it(tmp_path):
    """Checked before the set-up (minutes at national scale): no database is written, and the message names wrk
    and the commands that install it."""
    empty = tmp_path / "bin"
    empty.mkdir()
    database = tmp_path / "bench.sqlite3"
    env = {**os.environ, "PATH": str(empty), "DATABASE_URL": f"sqlite:///{database}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "portal_bench.py"), "--scale", "tiny",
                           "--results", "300", "--duration", "1"], env=env, capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert done.returncode == 1
    assert "wrk" in done.stderr and "apt-get install wrk" in done.stderr and "make bench" in done.stderr
    assert "Traceback" not in done.stderr
    assert not database.exists()
