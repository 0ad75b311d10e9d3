"""The demo's classification across a new year (two key-unit directories), on a database of its own:
test_demo.py's tests share one demo seeded in December."""

from datetime import date
from io import StringIO

from django.core.management import call_command

from shuangsuiji.demo.generator import generate

from .test_demo import check_current_quarter, demo_counts


def test_the_current_quarter_reproduces_the_generated_categories_across_a_new_year(db):
    today = date(2022, 2, 15)
    call_command("seed_demo", scale="tiny", today=today, stdout=StringIO(), stderr=StringIO())
    check_current_quarter(generate("tiny", today=today), demo_counts(),
                          {(2021, 2), (2021, 3), (2021, 4), (2022, 1)})
