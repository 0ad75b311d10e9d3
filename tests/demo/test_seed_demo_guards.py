"""seed_demo's guards, each on a database of its own: it seeds an empty one, and stops without a trace on a
taken user name or a failing step (test_seed_demo.py's tests share one seeded database)."""

import pytest
from django.core.management import CommandError
from django.db import connection

from shuangsuiji.accounts.models import User
from shuangsuiji.audit.models import Event
from shuangsuiji.demo import services
from shuangsuiji.intake.models import Clue
from shuangsuiji.planning.models import Task
from shuangsuiji.registry.models import Jurisdiction, Target

from .test_seed_demo import seed


def test_if_empty_seeds_an_empty_database(db):
    assert "完成" in seed(if_empty=True)
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
