"""The demo's classification across a new year (two key-unit directories), on a database of its own:
test_demo.py's tests share one demo seeded in December."""

from datetime import date

from shuangsuiji.demo.generator import generate

from ..seeding import seed_demo_command
from .test_demo import check_current_quarter, demo_counts


def test_the_current_quarter_reproduces_the_generated_categories_across_a_new_year(db):
    today = date(2022, 2, 15)
    seed_demo_command(scale="tiny", today=today)
    check_current_quarter(generate("tiny", today=today), demo_counts(),
                          {(2021, 2), (2021, 3), (2021, 4), (2022, 1)})
