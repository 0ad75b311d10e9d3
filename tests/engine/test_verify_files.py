"""How both verifiers read the files they are given: a manifest saved with a UTF-8 BOM is the same JSON value
(docs/draw-spec.md §2: any JSON text of the value), an empty or non-JSON file is named as such (exit 2), and
``-h``/``--help`` print the usage (exit 0) instead of being read as file names."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VECTOR = ROOT / "tests" / "engine" / "vectors" / "draw-manifest.json"
SEALED_VECTOR = ROOT / "tests" / "engine" / "vectors" / "draw-manifest-sealed.json"
VERIFIERS = {
    "standalone": [sys.executable, "-I", "-S", str(ROOT / "tools" / "verify_draw.py")],
    "engine": [sys.executable, "-m", "shuangsuiji.engine", "verify"],
}


def run(verifier: str, *args) -> subprocess.CompletedProcess:
    return subprocess.run([*VERIFIERS[verifier], *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8")


@pytest.mark.parametrize("verifier", VERIFIERS)
def test_a_manifest_with_a_bom_is_the_same_manifest(verifier, tmp_path):
    manifest, sealed = tmp_path / "m.json", tmp_path / "sealed.json"
    manifest.write_bytes(b"\xef\xbb\xbf" + VECTOR.read_bytes())
    sealed.write_bytes(b"\xef\xbb\xbf" + SEALED_VECTOR.read_bytes())
    done = run(verifier, manifest, "--sealed", sealed)
    assert done.returncode == 0 and done.stdout.startswith("OK"), done.stdout + done.stderr


@pytest.mark.parametrize("verifier", VERIFIERS)
@pytest.mark.parametrize("content, said", [(b"", "is empty"), (b" \n", "is empty"), (b"hello", "is not JSON"),
                                           (b"\xff\xfe{}", "is not UTF-8 text")])
def test_an_empty_or_non_json_file_is_named_as_such(verifier, tmp_path, content, said):
    path = tmp_path / "m.json"
    path.write_bytes(content)
    done = run(verifier, path)
    assert done.returncode == 2 and said in done.stdout + done.stderr
    if said == "is empty":  # not the parser's position in nothing
        assert "Expecting value" not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("verifier", VERIFIERS)
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_prints_the_usage(verifier, flag):
    done = run(verifier, flag)
    assert done.returncode == 0 and "usage:" in done.stdout and "cannot read:" not in done.stdout
