"""seed_demo's guards, each on a database of its own: it seeds an empty one, and stops without a trace on a
taken user name or a failing step (test_seed_demo.py's tests share one seeded database)."""

import pytest
from django.core.management import CommandError

from shuangsuiji.accounts.models import User
from shuangsuiji.audit.models import Event
from shuangsuiji.demo import services
from shuangsuiji.registry.models import Jurisdiction, Target

from .test_seed_demo import seed


def test_if_empty_seeds_an_empty_database(db):
    assert "完成" in seed(if_empty=True)
    assert Target.objects.exists() and User.objects.filter(username="city").exists()


def test_a_taken_username_stops_the_run_before_anything_is_written(db):
    User.objects.create_user("county", password="x")
    with pytest.raises(CommandError, match="county"):
        seed()
    assert not Jurisdiction.objects.exists() and not Event.objects.exists()


def test_a_failing_step_leaves_nothing_behind(db, monkeypatch):
    def broken(ctx):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "STEPS", [*services.STEPS, services.Step("broken", "坏步骤", broken)])
    with pytest.raises(RuntimeError):
        seed()
    assert not (Jurisdiction.objects.exists() or Target.objects.exists() or User.objects.exists())
