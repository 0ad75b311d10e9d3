"""Telephone numbers and coordinates: what people really write is accepted, typos are refused with a reason."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.registry.models import Target
from shuangsuiji.validators import validate_phone


@pytest.mark.parametrize("number", [
    "0312-1234567", "13800000000", "138 0000 0000", "(0312)1234567转801", "（0312）1234567", "+86 138-0000-0000",
    "0312-1234567、13800000000", "0312-1234567 ext. 12", "０３１２－１２３４５６７", "",
])
def test_numbers_as_people_write_them_are_accepted(number):
    validate_phone(number)


@pytest.mark.parametrize(("number", "said"), [
    ("abc123", "只能由数字"), ("not a phone", "只能由数字"), ("12", "现为 2 位"), ("031-123", "现为 6 位"),
    ("1" * 25, "现为 25 位"), ("138@0000", "只能由数字"),
])
def test_typos_are_refused_with_the_reason(number, said):
    with pytest.raises(ValidationError, match=said):
        validate_phone(number)


@given(st.text(alphabet="0123456789 -", min_size=7, max_size=32))
def test_digits_spaces_and_hyphens_pass_exactly_when_seven_to_twenty_four_digits(text):
    digits = sum(c.isdigit() for c in text)
    if text.strip() and not 7 <= digits <= 24:
        with pytest.raises(ValidationError):
            validate_phone(text)
    else:
        validate_phone(text)


@pytest.mark.parametrize(("field", "value", "ok"), [
    ("longitude", "115.49", True), ("longitude", "200", False), ("longitude", "-115.49", False),
    ("latitude", "38.87", True), ("latitude", "-95", False), ("latitude", "115.49", False),
])
def test_a_targets_coordinates_lie_in_china(field, value, ok):
    target = Target(**{field: Decimal(value)})
    try:
        target.clean_fields(exclude=[f.name for f in Target._meta.fields if f.name != field])
    except ValidationError as error:
        assert not ok and field in error.message_dict
        assert "中国境内" in error.message_dict[field][0]
    else:
        assert ok
