"""seed_demo's guards, each on a database of its own: it seeds an empty one as `make run` runs it, refuses a
production one (DEBUG off) unless told otherwise, and stops without a trace on a taken user name or a failing step
(test_seed_demo.py's tests share one seeded database)."""

import os
import re
import shlex
import sqlite3
import subprocess
import sys
from contextlib import closing
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from shuangsuiji.accounts.models import User
from shuangsuiji.audit.models import Event
from shuangsuiji.demo import services
from shuangsuiji.demo.generator import generate
from shuangsuiji.intake.models import Clue
from shuangsuiji.planning.models import Task
from shuangsuiji.registry.models import Jurisdiction, Target

from .test_seed_demo import TODAY, seed

PROJECT = Path(__file__).resolve().parents[2]


def make_run_recipe() -> list[str]:
    """The commands of `make run`'s recipe, as make runs them (without the leading @ that only hides the echo)."""
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", (PROJECT / "Makefile").read_text(), re.MULTILINE).group(1)
    # make run reads no environment file and sets no DEBUG: the settings' default, DEBUG on (tests/test_settings.py)
    assert "DEBUG" not in recipe and "--allow-production" not in recipe
    return [line.strip().removeprefix("@") for line in recipe.splitlines()]


def make_run_seed_arguments() -> list[str]:
    """The arguments `make run` gives seed_demo to load the demo (the README's demo contract)."""
    [line] = [line for line in make_run_recipe() if "seed_demo" in line and "--check" not in line]
    return shlex.split(line.split("seed_demo", 1)[1])


def test_make_run_seeds_an_empty_database(db):
    arguments = make_run_seed_arguments()
    assert arguments == ["--if-empty"]
    assert "完成" in seed(*arguments)  # with DEBUG on, as make run has it
    assert Target.objects.exists() and User.objects.filter(username="city").exists()
    if connection.vendor == "postgresql":
        # The seed is one transaction (and this test another) that autovacuum cannot see into. Unless the seed
        # analyses its own tables, the planner takes them for nearly empty and the planning step's reads run
        # as nested loops over every row (minutes for this tiny demo instead of about one).
        with connection.cursor() as cursor:
            cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relname IN (%s, %s)",
                           [Target._meta.db_table, Task._meta.db_table])
            planned = dict(cursor.fetchall())
        assert planned == {Target._meta.db_table: Target.objects.count(), Task._meta.db_table: Task.objects.count()}


def test_a_taken_username_stops_the_run_before_anything_is_written(db):
    User.objects.create_user("county", password="x")
    with pytest.raises(CommandError, match="county"):
        seed()
    assert not Jurisdiction.objects.exists() and not Event.objects.exists()


def test_a_failing_step_leaves_nothing_behind(db, monkeypatch):
    def broken(ctx):
        raise RuntimeError("disk full")

    # after the steps that write the registries, the users and a year of outside data (not after all of them:
    # the later steps add minutes to the suite and nothing to what is proved, one transaction for the run)
    written = [step for step in services.STEPS if step.name in {"registries", "users", "intake"}]
    monkeypatch.setattr(services, "STEPS", [*written, services.Step("broken", "坏步骤", broken)])
    with pytest.raises(RuntimeError):
        seed()
    assert not (Jurisdiction.objects.exists() or Target.objects.exists() or User.objects.exists()
                or Clue.objects.exists())


def test_debug_off_refuses_to_load_the_known_password_and_writes_nothing(db, settings):
    settings.DEBUG = False  # a bureau's environment file (docs/operations.md)
    with pytest.raises(CommandError) as refused:
        call_command("seed_demo", "--if-empty", scale="tiny", stdout=StringIO(), stderr=StringIO())
    message = str(refused.value)
    assert "DEBUG" in message and "--allow-production" in message and "baoding2021" in message
    assert not (Jurisdiction.objects.exists() or User.objects.exists() or Event.objects.exists())


def test_allow_production_loads_the_demo_with_debug_off(db, settings):
    settings.DEBUG = False  # the benchmarks' set-up: a demo population measured as in production
    call_command("seed_demo", "--allow-production", scale="tiny", registries_only=True, stdout=StringIO(),
                 stderr=StringIO())
    assert Target.objects.exists() and User.objects.filter(username="city").exists()


def test_the_command_exits_non_zero_before_it_writes_anything(tmp_path):
    """`make run` (or seed_demo) run with a bureau's environment file read: exit status 1 and the reason, and not
    a table written (make stops there, before its development server)."""
    database = tmp_path / "production.sqlite3"
    environment = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "DATABASE_URL"}}
    environment.update(DEBUG="False", DATABASE_URL=f"sqlite:///{database}")
    refused = subprocess.run([sys.executable, "manage.py", "seed_demo", "--if-empty"], cwd=PROJECT,
                             env=environment, capture_output=True, text=True)
    assert refused.returncode == 1, refused.stderr
    assert "DEBUG" in refused.stderr and "--allow-production" in refused.stderr
    with closing(sqlite3.connect(database)) as written:
        assert written.execute("SELECT name FROM sqlite_master").fetchall() == []


def test_the_service_itself_refuses_with_debug_off_whoever_calls_it(db, settings):
    """A shell, another command or a benchmark calling do_seed_demo, not seed_demo: held all the same."""
    settings.DEBUG = False  # a bureau's environment file (and pytest-django's default)
    with pytest.raises(services.ProductionRefused) as refused:
        services.do_seed_demo(generate("tiny", today=TODAY))
    message = str(refused.value)
    assert "DEBUG" in message and "--allow-production" in message and "baoding2021" in message
    assert not (Jurisdiction.objects.exists() or User.objects.exists() or Event.objects.exists())

    registries = [step for step in services.STEPS if step.name in {"registries", "users"}]
    services.do_seed_demo(generate("tiny", today=TODAY), steps=registries, allow_production=True)  # said explicitly
    assert Target.objects.exists() and Event.objects.filter(action="demo.seed").exists()


def _environment(database: Path, **variables: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "DATABASE_URL"}}
    environment.update(DATABASE_URL=f"sqlite:///{database}", **variables)
    return environment


def test_check_asks_the_settings_alone_and_opens_no_database(tmp_path):
    database = tmp_path / "any.sqlite3"
    allowed = subprocess.run([sys.executable, "manage.py", "seed_demo", "--check"], cwd=PROJECT,
                             env=_environment(database), capture_output=True, text=True)
    assert allowed.returncode == 0, allowed.stderr  # DEBUG on, the default: make run goes on
    refused = subprocess.run([sys.executable, "manage.py", "seed_demo", "--check"], cwd=PROJECT,
                             env=_environment(database, DEBUG="False"), capture_output=True, text=True)
    assert refused.returncode == 1 and "--allow-production" in refused.stderr, refused.stderr
    assert not database.exists()  # not even the system checks' connection (SQLite would create the file)


def test_make_run_with_a_bureaus_environment_stops_before_its_migrate(tmp_path):
    """The recipe's commands in make's order, stopping at the first that fails, as make does (up to the
    development server): with DEBUG off the first refuses, and the database is never opened, let alone migrated."""
    database = tmp_path / "production.sqlite3"
    ran = []
    for line in make_run_recipe():
        if "runserver" in line:
            break
        ran.append(line)
        done = subprocess.run(line.replace("$(PY)", shlex.quote(sys.executable)), shell=True, cwd=PROJECT,
                              env=_environment(database, DEBUG="False"), capture_output=True, text=True)
        if done.returncode:
            break
    assert done.returncode == 1, done.stdout + done.stderr
    assert "DEBUG" in done.stderr and "make run" in done.stderr, done.stderr  # what to do: DEBUG on, no env file
    assert not any("migrate" in line for line in ran), ran
    assert not database.exists()
