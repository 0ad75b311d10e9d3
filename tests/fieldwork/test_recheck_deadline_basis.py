"""A re-check's deadline (15 days after the rectification deadline) is the bureau's rule: the seed only asks that
firms rectify 按时 (附件 三(三)); the re-check page says so rather than pass it off as the policy's."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_recheck_page_says_its_deadline_is_the_bureau_s_rule(recheck, users):
    client = Client()
    client.force_login(users["inspector"])
    page = client.get(reverse("fieldwork:recheck_detail", args=[recheck.pk])).content.decode()
    assert 'id="deadline-basis"' in page
    assert "整改期限后 15 天是本局的规定，不是政策规定的期限" in page and "附件 三(三)" in page
