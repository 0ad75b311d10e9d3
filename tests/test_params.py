"""The shared readers of hand-read numbers, times and text (shuangsuiji/params.py)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shuangsuiji import params


@pytest.mark.parametrize(("value", "expected"), [
    ("0", 0), ("12", 12), ("9223372036854775807", 2**63 - 1),
    ("9223372036854775808", None), ("99999999999999999999", None),  # past a bigint
    ("²", None), ("١٢", None), ("１２", None),  # isdigit() says yes to these; int() refuses "²"
    ("", None), ("-1", None), ("1.5", None), (" 1", None), (None, None), (12, None), ("x" * 5000, None),
])
def test_number_reads_ascii_digits_within_a_bigint(value, expected):
    assert params.number(value) == expected


def test_years_are_those_a_date_has():
    assert [params.year(v) for v in ("1", "2021", "9999", "0", "10000")] == [1, 2021, 9999, None, None]


@pytest.mark.parametrize("text", ["0001-01-01 00:00", "9999-12-31 23:59"])
def test_a_time_utc_cannot_hold_is_a_form_error(text):
    with pytest.raises(ValidationError) as refused:
        params.DateTimeField().clean(text)
    assert "0001-01-02 至 9999-12-30" in refused.value.messages[0]


def test_a_time_utc_holds_is_one():
    moment = params.DateTimeField().clean("0001-01-02 00:00")
    assert timezone.is_aware(moment) and moment.astimezone(datetime.UTC).year == 1


def test_text_with_a_nul_names_the_field():
    assert params.text("理由", "理由") == "理由"
    with pytest.raises(ValidationError, match="说明含有空字符"):
        params.text("a\x00b", "说明")
