"""bench/portal_bench.py at tiny scale: the data it builds, the server it starts and the load it drives work
(the real run is national scale on PostgreSQL, outside the test suite; figures in bench/README.md)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk not installed (make bench installs it)")
def test_portal_bench_runs_at_tiny_scale(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/bench.sqlite3"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out = tmp_path / "report.json"
    subprocess.run([sys.executable, str(ROOT / "bench" / "portal_bench.py"), "--scale", "tiny", "--results", "300",
                    "--duration", "1", "--connections", "4", "--workers", "1", "--targets", "api",
                    "--json-out", str(out)], env=env, check=True, capture_output=True, timeout=300, cwd=ROOT)
    report = json.loads(out.read_text())
    assert report["data"]["results"] == 300 and report["data"]["outcomes"]["problem"] > 0
    for name in ("api mix", "trivial"):
        run = report["runs"][name]
        assert run["requests"] > 0 and run["errors"] == 0 and run["p99_ms"] >= run["median_ms"] > 0
    assert report["ratios"]["api mix"]["median"] > 0
    assert set(report["queries"]) == {"unfiltered", "jurisdiction", "month", "industry", "outcome", "name",
                                      "credit_code", "deep_page", "name_two_chars"}
