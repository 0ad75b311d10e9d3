"""The engine's command line refuses what the draw spec makes invalid, and input it cannot read, with a message
on stderr and exit code 2, never a traceback and never a partial answer on stdout; valid input is answered
exactly as consistent_sampler answers it (tests/engine/test_sampling.py checks the agreement)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def engine(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "shuangsuiji.engine", *args], input=stdin, capture_output=True,
                          cwd=ROOT)


def sample(stdin: bytes, take: str = "1") -> subprocess.CompletedProcess:
    return engine("sample", "--seed", "S", "--take", take, stdin=stdin)


def refused(run: subprocess.CompletedProcess, said: bytes) -> bool:
    return run.returncode == 2 and said in run.stderr and b"Traceback" not in run.stderr and run.stdout == b""


def test_stdin_that_is_not_utf8_is_named():
    assert refused(sample(b"\xff\xfe\n"), b"stdin is not UTF-8 text")


@pytest.mark.parametrize("stdin, take", [(b"a\nb\nc\n", "5"), (b"", "1"), (b"\n\n", "2")])
def test_more_to_take_than_ids_given_is_invalid(stdin, take):
    assert refused(sample(stdin, take), f"--take {take} is more than the".encode())


def test_taking_all_or_none_is_valid():
    assert sorted(sample(b"a\nb\nc\n", "3").stdout.split()) == [b"a", b"b", b"c"]
    nothing = sample(b"", "0")
    assert nothing.returncode == 0 and nothing.stdout == b""


@pytest.mark.parametrize("stdin, line", [(b"a\n b\n", b"line 2"), (b"a \r\nb\r\n", b"line 1"),
                                         ("甲\n乙\u3000\n".encode(), b"line 2"), (b"a\n\n\t\n", b"line 3")])
def test_an_id_with_spaces_around_it_is_refused_naming_its_line(stdin, line):
    run = sample(stdin)
    assert refused(run, line) and b"spaces around it" in run.stderr


def test_an_id_not_in_nfc_is_refused_naming_its_line():
    assert refused(sample("a\ne\u0301\n".encode()), b"line 2")


def test_a_crlf_file_is_read_as_its_ids():
    assert sorted(sample(b"a\r\nb\r\n", "2").stdout.split()) == [b"a", b"b"]


@pytest.mark.parametrize("day, n", [("9999-12-31", "3"), ("0001-01-01", "-3")])
def test_workdays_past_the_calendar_s_end_is_out_of_range(day, n):
    run = engine("workdays", "add", day, n)
    assert refused(run, b"is out of range")
