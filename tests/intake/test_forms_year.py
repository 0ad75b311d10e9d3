"""A form's default year is Beijing's: on New Year's morning the server's UTC clock is still in the old year."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from shuangsuiji.intake.forms import KeyUnitForm
from shuangsuiji.registry.models import Target

pytestmark = pytest.mark.django_db


def test_the_key_unit_form_starts_on_beijings_year_on_new_years_morning():
    # 2027-01-01 07:30 in Beijing is 2026-12-31 23:30 UTC.
    morning = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)
    with mock.patch.object(timezone, "now", return_value=morning):
        assert KeyUnitForm(targets=Target.objects.none()).fields["year"].initial == 2027
