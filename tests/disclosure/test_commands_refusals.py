"""publish_month refuses a year outside those the system stores, naming the option, and prepares nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shuangsuiji.disclosure.models import Publication

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", ["0", "1", "99999999999"])
def test_publish_month_refuses_a_year_out_of_range(tree, year):
    with pytest.raises(CommandError, match=f"--year {year} 超出范围：年度应在 2 至 9998 之间"):
        call_command("publish_month", "--jurisdiction", "130623", "--year", year, "--month", "1",
                     stdout=StringIO(), stderr=StringIO())
    assert not Publication.objects.exists()
