"""The tiny demo for tests that need a realistic city, seeded only as far as they need it.

The whole demo (registries, users, a year of outside data and classifications, past draws, field records,
publications) takes most of a minute even at the tiny scale; field records and publications are about two
thirds of it. A test about planning pages needs neither, so it seeds through ``planning`` and the suite stays
within its time. Tests about the whole demo (tests/demo/) still seed all of it.
"""

from datetime import date

from shuangsuiji.demo.generator import Population, generate
from shuangsuiji.demo.services import STEPS, do_seed_demo

STEP_NAMES = [step.name for step in STEPS]


def seed_tiny_demo(today: date, *, through: str = STEP_NAMES[-1]) -> Population:
    """Seed the tiny demo of ``today`` with its steps up to and including ``through`` (all by default)."""
    last = STEP_NAMES.index(through)  # a name that is not a step is a ValueError, not a silently smaller demo
    population = generate("tiny", today=today)
    do_seed_demo(population, steps=STEPS[:last + 1])
    return population
