"""The tiny demo for tests that need a realistic city, seeded only as far as they need it.

The whole demo (registries, users, a year of outside data and classifications, past draws, field records,
publications) takes most of a minute even at the tiny scale; field records and publications are about two
thirds of it. A test about planning pages needs neither, so it seeds through ``planning`` and the suite stays
within its time. Tests about the whole demo (tests/demo/) still seed all of it.
"""

from datetime import date
from io import StringIO

from django.core.management import call_command
from django.test import override_settings

from shuangsuiji.demo.generator import Population, generate
from shuangsuiji.demo.services import STEPS, do_seed_demo

STEP_NAMES = [step.name for step in STEPS]


def seed_tiny_demo(today: date, *, through: str = STEP_NAMES[-1]) -> Population:
    """Seed the tiny demo of ``today`` with its steps up to and including ``through`` (all by default)."""
    last = STEP_NAMES.index(through)  # a name that is not a step is a ValueError, not a silently smaller demo
    population = generate("tiny", today=today)
    # pytest-django runs with DEBUG off, where the service refuses the demo's known password; a test database
    do_seed_demo(population, steps=STEPS[:last + 1], allow_production=True)
    return population


def seed_demo_command(*args: str, **options) -> str:
    """``manage.py seed_demo`` as ``make run`` runs it, with DEBUG on (the settings' default; pytest-django turns it
    off, and with DEBUG off the command refuses to load the demo's known password). Returns its output."""
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("seed_demo", *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()
